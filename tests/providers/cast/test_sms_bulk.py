"""POST /api/sms/bulk and /api/v1/sms/bulk: the seed's example, per-destination results and partial
failure with HTTP 200, up-front credit check for the whole batch, refunds, and the 1-1000 bounds."""

from __future__ import annotations

import re

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import LEGACY, V1, err, h, send

ID = re.compile(r"CAST[0-9a-f]{16}")


def test_seed_curl_bulk(client):
    """The seed's cURL bulk example, only host and key changed."""
    resp = client.post(
        "/cast/api/sms/bulk", headers={"X-API-Key": kit.README, "Content-Type": "application/json"},
        content='{\n    "to": ["09171234567", "09181234567"],\n    "message": "Hello from Cast!",\n'
                '    "sender_id": "MYAPP"\n  }')
    assert resp.status_code == 200
    body = resp.json()
    ids = [r.pop("message_id") for r in body["results"]]
    assert all(ID.fullmatch(i) for i in ids) and len(set(ids)) == 2
    assert body == {"success": True, "total": 2, "sent": 2, "failed": 0, "results": [
        {"to": "09171234567", "success": True, "parts": 1},
        {"to": "09181234567", "success": True, "parts": 1},
    ]}
    assert kit.balance(client) == 999_998
    assert sorted(e["smpp_message_id"] for e in kit.logs(client)) == sorted(ids)
    assert {e["message_type"] for e in kit.logs(client)} == {"bulk"}


def test_each_destination_has_its_own_status(client):
    body = send(client, {"to": ["09171234567", "09170999002"], "message": "hi", "sender_id": "CAST"},
                path="sms/bulk").json()
    advance(client, 10)
    ok, bad = (kit.status(client, r["message_id"]) for r in body["results"])
    assert (ok["status"], ok["dlr_status"]) == ("delivered", "DELIVRD")
    assert (bad["status"], bad["dlr_status"]) == ("undelivered", "UNDELIV")


def test_partial_failure_is_200_with_per_destination_errors(client):
    to = ["09171234567", "0918", "abcdefghij", "", "+63 917 123 4567 890", "09181234567"]
    resp = send(client, {"to": to, "message": "a" * 200, "sender_id": "CAST"}, path="sms/bulk", base=LEGACY)
    assert resp.status_code == 200
    body = resp.json()
    for r in body["results"]:
        r.pop("message_id", None)
    assert body == {"success": False, "total": 6, "sent": 2, "failed": 4, "results": [
        {"to": "09171234567", "success": True, "parts": 2},
        {"to": "0918", "success": False, "error": "to must be 7-15 characters"},
        {"to": "abcdefghij", "success": False, "error": "invalid phone number"},
        {"to": "", "success": False, "error": "to is required"},
        {"to": "+63 917 123 4567 890", "success": False, "error": "to must be 7-15 characters"},
        {"to": "09181234567", "success": True, "parts": 2},
    ]}
    assert kit.balance(client) == 1_000_000 - 4  # only the two valid destinations, 2 parts each
    assert len(kit.logs(client)) == 2


def test_all_invalid_costs_nothing(client):
    resp = send(client, {"to": ["1", "2"], "message": "hi", "sender_id": "CAST"}, path="sms/bulk")
    assert resp.status_code == 200
    assert resp.json()["success"] is False and resp.json()["sent"] == 0 and resp.json()["failed"] == 2
    assert kit.balance(client) == 1_000_000
    assert kit.logs(client) == []


@pytest.mark.parametrize("base", [V1, LEGACY])
def test_credits_are_checked_up_front_for_the_whole_batch(client, base):
    to = [f"0917123456{i}" for i in range(6)]
    resp = send(client, {"to": to, "message": "hi"}, key=kit.LOW, path="sms/bulk", base=base)
    assert resp.status_code == 402
    assert resp.json() == err("insufficient credits: need 6, have 3", "INSUFFICIENT_CREDITS" if base == V1 else None)
    assert "results" not in resp.json()
    assert kit.balance(client, kit.LOW) == 3
    assert kit.logs(client, kit.LOW) == []


def test_invalid_destinations_do_not_count_towards_the_credit_check(client):
    to = ["09171234567", "bad", "09181234567", "09191234567", "x"]
    resp = send(client, {"to": to, "message": "hi"}, key=kit.LOW, path="sms/bulk")
    assert resp.status_code == 200
    assert (resp.json()["sent"], resp.json()["failed"]) == (3, 2)
    assert kit.balance(client, kit.LOW) == 0


def test_failed_destination_is_refunded(client):
    resp = send(client, {"to": ["09171234567", "09170999001", "09170999004"], "message": "a" * 200,
                         "sender_id": "CAST"}, path="sms/bulk")
    assert resp.json()["sent"] == 3
    assert kit.balance(client) == 1_000_000 - 6
    advance(client, 10)
    assert kit.balance(client) == 1_000_000 - 2  # the failed and the rejected one come back
    failed = kit.status(client, resp.json()["results"][1]["message_id"])
    assert failed["status"] == "failed"
    assert failed["error_message"] == "SMPP submit failed; credits refunded"


@pytest.mark.parametrize("to,message", [
    ([], "to is required"),
    ([f"0917{i:07d}" for i in range(1001)], "too many recipients (max 1000)"),
])
def test_bulk_bounds(client, to, message):
    resp = send(client, {"to": to, "message": "hi", "sender_id": "CAST"}, path="sms/bulk")
    assert (resp.status_code, resp.json()) == (400, err(message, "VALIDATION_ERROR"))
    assert kit.balance(client) == 1_000_000


def test_a_thousand_destinations(client):
    to = [f"0917{i:07d}" for i in range(1000)]
    resp = send(client, {"to": to, "message": "hi", "sender_id": "CAST"}, path="sms/bulk")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["total"], body["sent"], body["failed"]) == (1000, 1000, 0)
    assert len({r["message_id"] for r in body["results"]}) == 1000
    assert kit.balance(client) == 999_000


@pytest.mark.parametrize("body,status,message", [
    ({"to": ["09171234567"], "message": ""}, 400, "message is required"),
    ({"to": ["09171234567"], "message": "hi"}, 400, "sender_id is required when more than one sender ID is assigned"),
    ({"to": ["09171234567"], "message": "hi", "sender_id": "NOPE"}, 403,
     "sender_id 'NOPE' is not allowed for this user"),
])
def test_request_level_errors_have_no_results(client, body, status, message):
    resp = send(client, body, path="sms/bulk", base=LEGACY)
    assert (resp.status_code, resp.json()) == (status, err(message))


def test_duplicates_are_sent_individually(client):
    resp = send(client, {"to": ["09171234567"] * 3, "message": "hi", "sender_id": "CAST"}, path="sms/bulk")
    assert resp.json()["sent"] == 3
    assert len(kit.logs(client)) == 3
