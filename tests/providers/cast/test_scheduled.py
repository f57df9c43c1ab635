"""scheduled_at: >= 30 s ahead answers 202 {success, scheduled_at} (bulk adds `scheduled`); the
message waits, shown as "scheduled", then moves on at its time; its credits are taken at dispatch."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import LEGACY, V1, err, send


def _at(client, seconds: float) -> str:
    now = client.get("/_mock/clock").json()["now"]
    return (datetime.fromtimestamp(now, tz=timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_scheduled_single_waits_for_its_time(client):
    at = _at(client, 120)
    resp = send(client, {"to": "09171234567", "message": "later", "sender_id": "CAST", "scheduled_at": at})
    assert (resp.status_code, resp.json()) == (202, {"success": True, "scheduled_at": at})
    [entry] = kit.logs(client)
    mid = entry["smpp_message_id"]
    assert entry["status"] == "scheduled"
    assert kit.status(client, mid)["status"] == "scheduled"
    assert kit.balance(client) == 1_000_000  # v1 doc #1: credits are taken at dispatch, not at scheduling
    advance(client, 100)
    assert kit.status(client, mid)["status"] == "scheduled" and kit.balance(client) == 1_000_000
    advance(client, 20)
    assert kit.balance(client) == 999_999
    assert kit.status(client, mid)["status"] in ("sent", "pending")
    advance(client, 5)
    assert kit.status(client, mid)["status"] == "delivered"


def test_scheduled_bulk(client):
    at = _at(client, 60)
    resp = send(client, {"to": ["09171234567", "09181234567", "bad"], "message": "later", "sender_id": "CAST",
                         "scheduled_at": at}, path="sms/bulk", base=LEGACY)
    assert (resp.status_code, resp.json()) == (202, {"success": True, "scheduled": 2, "scheduled_at": at})
    assert [e["status"] for e in kit.logs(client)] == ["scheduled", "scheduled"]
    advance(client, 65)
    assert [e["dlr_status"] for e in kit.logs(client)] == ["DELIVRD", "DELIVRD"]


@pytest.mark.parametrize("offset", [0, 29, -60])
def test_too_soon_is_400(client, offset):
    resp = send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST", "scheduled_at": _at(client, offset)})
    assert (resp.status_code, resp.json()) == (
        400, err("scheduled_at must be at least 30 seconds in the future", "VALIDATION_ERROR"))
    assert kit.logs(client) == []


@pytest.mark.parametrize("value", ["tomorrow", "2030-02-30T00:00:00Z", "1700000000"])
def test_unparsable_is_400(client, value):
    resp = send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST", "scheduled_at": value})
    assert (resp.status_code, resp.json()) == (
        400, err("scheduled_at must be an ISO 8601 UTC timestamp, e.g. 2030-01-31T09:00:00Z", "VALIDATION_ERROR"))


def test_offsets_and_fractions_are_accepted(client):
    now = client.get("/_mock/clock").json()["now"]
    local = datetime.fromtimestamp(now + 3600, tz=timezone(timedelta(hours=8))).isoformat(timespec="milliseconds")
    resp = send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST", "scheduled_at": local})
    assert resp.status_code == 202
    expected = datetime.fromisoformat(local).astimezone(timezone.utc)
    assert resp.json()["scheduled_at"] == expected.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3].rstrip("0").rstrip(".") + "Z"


def test_otp_refuses_scheduled_at(client):
    resp = send(client, {"to": "09171234567", "message": "123456", "sender_id": "CAST",
                         "scheduled_at": _at(client, 120)}, path="otp/send", base=V1)
    assert (resp.status_code, resp.json()) == (
        400, err("scheduled_at is not supported for OTP messages", "VALIDATION_ERROR"))


def test_scheduled_insufficient_credits(client):
    resp = send(client, {"to": ["09171234567"] * 4, "message": "x", "scheduled_at": _at(client, 60)},
                key=kit.LOW, path="sms/bulk")
    assert (resp.status_code, resp.json()) == (402, err("insufficient credits: need 4, have 3", "INSUFFICIENT_CREDITS"))


def test_scheduled_bulk_is_charged_at_dispatch_per_destination(client):
    send(client, {"to": ["09171234567", "09181234567", "bad"], "message": "a" * 200, "sender_id": "CAST",
                  "scheduled_at": _at(client, 60)}, path="sms/bulk")
    assert kit.balance(client) == 1_000_000
    advance(client, 61)
    assert kit.balance(client) == 1_000_000 - 4  # 2 destinations x 2 parts


def test_failed_dispatch_takes_nothing(client):
    send(client, {"to": "09170999001", "message": "x", "sender_id": "CAST", "scheduled_at": _at(client, 60)})
    advance(client, 70)
    assert kit.logs(client)[0]["status"] == "failed"
    assert kit.balance(client) == 1_000_000


def test_cancelled_before_dispatch_takes_nothing(client):
    send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST", "scheduled_at": _at(client, 60)})
    msg = client.get("/_mock/messages/latest", params={"provider": "cast"}).json()
    forced = client.post(f"/_mock/messages/{msg['id']}/status", json={"status": "cancelled"})
    assert forced.status_code == 200, forced.text
    advance(client, 120)
    assert kit.balance(client) == 1_000_000


def test_scheduled_postpaid_is_charged_at_dispatch(client):
    send(client, {"to": "09171234567", "message": "x", "scheduled_at": _at(client, 60)}, key=kit.POSTPAID)
    assert kit.balance(client, kit.POSTPAID) == 0
    advance(client, 61)
    assert kit.balance(client, kit.POSTPAID) == -1
