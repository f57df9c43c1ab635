"""DLR webhooks through a real local receiver: the seed's payload field for field, order, magic numbers,
the account DLR URL fallback, and the DLR settings."""

from __future__ import annotations

import json

import pytest

from tests.conftest import advance
from tests.providers.smscpr.kit import (
    AUTH, ISO_MS_RE, OTHER_ACCOUNT, OTHER_AUTH, OTHER_PLAN, RECEIPT_KEYS, SEED_DLR, SEED_SEND_BODY, UUID7_RE,
    credits, seed_send_headers, send, stored,
)


def _seed_send(client, receiver) -> dict:
    payload = SEED_SEND_BODY.replace("https://client.example.com/sms/status", receiver.url("/sms/status"))
    resp = client.post("/smscpr/messages/sms", content=payload, headers=seed_send_headers())
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_seed_send_gets_the_seed_dlr_field_for_field(client, receiver):
    sent = _seed_send(client, receiver)
    advance(client, 5)
    dispatched, delivered = receiver.bodies("/sms/status")
    for key, value in SEED_DLR.items():
        if key == "msgId":
            assert UUID7_RE.fullmatch(delivered[key]) and delivered[key] == sent["msgId"]
        else:
            assert delivered[key] == value, key
    assert list(delivered) == RECEIPT_KEYS  # the seed's fields first, then the DESIGNED ones
    assert delivered["price"] == 0.0075 and delivered["ptf"] == 0.003 and delivered["mccmnc"] == "310260"
    assert ISO_MS_RE.fullmatch(delivered["sentAt"]) and ISO_MS_RE.fullmatch(delivered["doneAt"])
    assert delivered["sentAt"] < delivered["doneAt"]
    assert dispatched["status"] == "DISPATCHED" and dispatched["errorCode"] == "000"
    assert dispatched["sentAt"] is None and dispatched["price"] is None and dispatched["mccmnc"] is None


def test_dlr_request_is_json_post(client, receiver):
    _seed_send(client, receiver)
    advance(client, 5)
    req = receiver.requests[-1]
    assert req["headers"]["Content-Type"] == "application/json"
    assert json.loads(req["raw"]) == req["body"]


def test_clock_drives_queued_to_delivered_without_waiting(client, receiver):
    msg_id = send(client, callbackUrl=receiver.url()).json()["msgId"]
    path = f"/smscpr/v1/messages/sms/{msg_id}"
    assert client.get(path, headers=AUTH).json()["status"] == "QUEUED"
    advance(client, 1)
    assert client.get(path, headers=AUTH).json()["status"] == "DISPATCHED"
    assert [b["status"] for b in receiver.bodies()] == ["DISPATCHED"]
    advance(client, 3)
    final = client.get(path, headers=AUTH).json()
    assert final["status"] == "DELIVERED" and final["sentAt"] is not None
    assert [b["status"] for b in receiver.bodies()] == ["DISPATCHED", "DELIVERED"]
    assert receiver.bodies()[-1] == final  # the DLR is the same object the status endpoint returns


@pytest.mark.parametrize("to, seconds, statuses, code", [
    ("+15550999001", 5, ["FAILED"], "101"),
    ("+15550999002", 5, ["DISPATCHED", "UNDELIVERED"], "201"),
    ("+15550999003", 5, ["DISPATCHED", "EXPIRED"], "202"),
    ("+15550999004", 5, ["REJECTED"], "102"),
    ("+15550999005", 5, ["DISPATCHED", "BLOCKED"], "203"),
    ("+15550999006", 700, ["DISPATCHED", "UNKNOWN"], "204"),
    ("+15550999008", 200, ["DISPATCHED", "DELIVERED"], "000"),
])
def test_magic_numbers_reach_their_outcome(client, receiver, to, seconds, statuses, code):
    send(client, to=to, callbackUrl=receiver.url())
    advance(client, seconds)
    got = receiver.bodies()
    assert [b["status"] for b in got] == statuses
    final = got[-1]
    assert final["errorCode"] == code
    assert (final["errorMessage"] == "No error") == (code == "000")
    assert final["doneAt"] is not None and final["mccmnc"] == "310260"
    never_sent = statuses[-1] in ("FAILED", "REJECTED")
    assert (final["sentAt"] is None) == never_sent
    assert final["price"] == (0.0 if never_sent else 0.0075)


def test_stuck_number_stays_queued_and_sends_nothing(client, receiver):
    msg_id = send(client, to="+15550999007", callbackUrl=receiver.url()).json()["msgId"]
    advance(client, 3600)
    assert client.get(f"/smscpr/v1/messages/sms/{msg_id}", headers=AUTH).json()["status"] == "QUEUED"
    assert receiver.bodies() == []


def test_slow_number_is_only_dispatched_after_the_normal_delay(client, receiver):
    send(client, to="+15550999008", callbackUrl=receiver.url())
    advance(client, 10)
    assert [b["status"] for b in receiver.bodies()] == ["DISPATCHED"]


def test_failed_and_rejected_sends_are_refunded(client, receiver):
    before = credits(client)
    send(client, to="+15550999001", callbackUrl=receiver.url())
    send(client, to="+15550999004", callbackUrl=receiver.url())
    assert credits(client) == before - 2
    advance(client, 5)
    assert credits(client) == before


def test_receipts_keep_their_order_through_retries(client, receiver):
    receiver.script = [500, 500]  # DISPATCHED fails twice; DELIVERED must wait behind it
    send(client, callbackUrl=receiver.url())
    advance(client, 60)  # one advance runs the retries due inside it (backoff 2 s, then 4 s): 500, 500, 200
    assert [b["status"] for b in receiver.bodies()] == ["DISPATCHED", "DISPATCHED", "DISPATCHED", "DELIVERED"]


def test_account_dlr_url_is_used_without_callback_url(client, receiver):
    resp = client.patch(f"/_mock/accounts/{OTHER_ACCOUNT}", json={"dlr_url": receiver.url("/account-dlr")})
    assert resp.status_code == 200, resp.text
    sent = send(client, headers=OTHER_AUTH, servicePlanId=OTHER_PLAN, from_="+15550003333").json()
    advance(client, 5)
    got = receiver.bodies("/account-dlr")
    assert [b["status"] for b in got] == ["DISPATCHED", "DELIVERED"]
    assert got[-1]["accountId"] == OTHER_ACCOUNT and got[-1]["callbackUrl"] is None
    assert got[-1]["msgId"] == sent["msgId"]


def test_callback_url_wins_over_account_dlr_url(client, receiver):
    send(client, callbackUrl=receiver.url("/per-message"))  # the fixture account has a DLR URL too
    advance(client, 5)
    assert len(receiver.bodies("/per-message")) == 2
    assert {h["url"] for h in stored(client, "webhooks")} == {receiver.url("/per-message")}


def test_no_url_no_receipts(client):
    send(client, headers=OTHER_AUTH, servicePlanId=OTHER_PLAN, from_="+15550003333")
    advance(client, 5)
    assert stored(client, "webhooks") == []


def test_finals_only_when_intermediate_receipts_are_off(client_factory, receiver):
    client = client_factory(provider_settings={"smscpr": {"dlr_intermediate": False}})
    send(client, callbackUrl=receiver.url())
    advance(client, 5)
    assert [b["status"] for b in receiver.bodies()] == ["DELIVERED"]


def test_seed_shape_sends_only_the_seed_fields(client_factory, receiver):
    client = client_factory(provider_settings={"smscpr": {"dlr_shape": "seed"}})
    send(client, callbackUrl=receiver.url())
    advance(client, 5)
    delivered = receiver.bodies()[-1]
    assert list(delivered) == list(SEED_DLR)
    assert {k: v for k, v in delivered.items() if k != "msgId"} == {k: v for k, v in SEED_DLR.items() if k != "msgId"}


def test_forced_status_from_the_control_api_sends_the_receipt(client, receiver):
    sent = send(client, callbackUrl=receiver.url()).json()
    [found] = client.get("/_mock/messages", params={"provider": "smscpr"}).json()["items"]
    assert found["public_id"] == sent["msgId"]
    resp = client.post(f"/_mock/messages/{found['id']}/status", json={"status": "undelivered"})
    assert resp.status_code == 200, resp.text
    got = receiver.bodies()
    assert [b["status"] for b in got] == ["DISPATCHED", "UNDELIVERED"]
    assert (got[-1]["errorCode"], got[-1]["errorMessage"]) == ("201", "Handset unreachable or absent subscriber")
    assert got[-1] == client.get(f"/smscpr/v1/messages/sms/{sent['msgId']}", headers=AUTH).json()


def test_the_scheduler_renders_dlrs_from_its_own_update_without_reading_recipients(client, receiver, monkeypatch):
    """The tick's UPDATE ... RETURNING hands each change its recipient (sent_at, done_at): the shaper reads
    no row per DLR, and the DELIVERED receipt still carries the times the status endpoint shows."""
    from mockserver.core.store import recipients

    reads = []
    original = recipients.get
    monkeypatch.setattr(recipients, "get", lambda conn, rid: reads.append(rid) or original(conn, rid))
    msg_ids = [send(client, callbackUrl=receiver.url()).json()["msgId"] for _ in range(3)]
    reads.clear()
    advance(client, 5)
    bodies = receiver.bodies()
    assert sorted(b["status"] for b in bodies) == ["DELIVERED"] * 3 + ["DISPATCHED"] * 3
    assert reads == []  # the scheduler's own path: no read per DLR
    for msg_id in msg_ids:
        final = client.get(f"/smscpr/v1/messages/sms/{msg_id}", headers=AUTH).json()
        delivered = next(b for b in bodies if b["msgId"] == msg_id and b["status"] == "DELIVERED")
        assert (delivered["sentAt"], delivered["doneAt"]) == (final["sentAt"], final["doneAt"]) != (None, None)
