"""GET /sms/status/{id} and /sim/status/{id}: the status moves with the sandbox clock; the magic
numbers give every Cast status; dlr_status (ACCEPTD first) and delivered_at appear once the carrier answers."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, h, send


def _send(client, to: str = "09171234567", key: str = kit.README) -> str:
    resp = send(client, {"to": to, "message": "hi", "sender_id": "CAST"}, key=key)
    assert resp.status_code == 200, resp.text
    return resp.json()["message_id"]


@pytest.mark.parametrize("base", BOTH)
def test_sent_pending_delivered(client, base):
    """v1 doc #16: `sent` = submitted (at once), `pending` = ACCEPTD (later), then the receipt."""
    mid = _send(client)
    first = client.get(f"{base}/sms/status/{mid}", headers=h())
    assert (first.status_code, set(first.json())) == (200, {"success", "message_id", "status", "sent_at"})
    assert (first.json()["message_id"], first.json()["status"]) == (mid, "sent")
    assert first.json()["sent_at"] == kit.logs(client)[0]["created_at"]
    advance(client, 1)
    sent = kit.status(client, mid)
    assert (sent["status"], sent["dlr_status"]) == ("pending", "ACCEPTD") and sent["sent_at"].endswith("Z")
    assert "delivered_at" not in sent
    advance(client, 3)
    done = kit.status(client, mid)
    assert set(done) == {"success", "message_id", "status", "sent_at", "dlr_status", "delivered_at"}
    assert (done["status"], done["dlr_status"], done["sent_at"]) == ("delivered", "DELIVRD", sent["sent_at"])
    assert done["delivered_at"] > done["sent_at"]


@pytest.mark.parametrize("to,status,dlr,error", [
    ("09170999001", "failed", None, "SMPP submit failed; credits refunded"),
    ("09170999002", "undelivered", "UNDELIV", "handset unreachable"),
    ("09170999003", "undelivered", "EXPIRED", "message expired before delivery"),
    ("09170999004", "failed", None, "destination rejected by the carrier; credits refunded"),
    ("09170999005", "undelivered", "REJECTD", "blocked by the carrier"),
])
def test_magic_number_outcomes(client, to, status, dlr, error):
    mid = _send(client, to)
    advance(client, 10)
    body = kit.status(client, mid)
    assert body["status"] == status
    assert body.get("dlr_status") == dlr
    assert body["error_message"] == error
    assert "delivered_at" not in body
    refunded = status == "failed"
    assert kit.balance(client) == 1_000_000 - (0 if refunded else 1)


def test_no_receipt_stays_pending(client):
    mid = _send(client, "09170999006")
    advance(client, 700)
    body = kit.status(client, mid)
    assert (body["status"], body["dlr_status"]) == ("pending", "ACCEPTD") and "delivered_at" not in body


def test_stuck_stays_sent(client):
    mid = _send(client, "09170999007")
    advance(client, 3600)
    assert kit.status(client, mid)["status"] == "sent"


def test_slow_delivery(client):
    mid = _send(client, "09170999008")
    advance(client, 10)
    assert kit.status(client, mid)["status"] == "pending"
    advance(client, 120)
    assert kit.status(client, mid)["status"] == "delivered"


@pytest.mark.parametrize("message_id", ["nope", "CAST0000000000000001", "CASTffffffff00000001",
                                        "SANDBOX_0000000000000001", "cast" + "0" * 16])
def test_unknown_ids_are_404(client, message_id):
    _send(client)
    resp = client.get(f"{V1}/sms/status/{message_id}", headers=h())
    assert (resp.status_code, resp.json()) == (404, err("message not found", "NOT_FOUND"))


def test_another_accounts_message_is_404(client):
    mid = _send(client)
    resp = client.get(f"{V1}/sms/status/{mid}", headers=h(kit.ONE_SENDER))
    assert resp.status_code == 404


def test_sms_and_sim_status_do_not_mix(client):
    sms_id = _send(client, key=kit.SIM)
    sim = send(client, {"to": "09171234567", "message": "hi", "sender_id": "ESIM1"}, key=kit.SIM,
               path="sim/send").json()["message_id"]
    assert client.get(f"{V1}/sim/status/{sms_id}", headers=h(kit.SIM)).status_code == 404
    assert client.get(f"{V1}/sms/status/{sim}", headers=h(kit.SIM)).status_code == 404
    assert kit.status(client, sim, kit.SIM, path="sim/status")["status"] == "sent"


def test_a_sent_message_keeps_one_sent_at(client):
    """Cast answers `sent` at submission; sms/status shows that moment from then on (not the later SMPP step)."""
    mid = send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}).json()["message_id"]
    seen = [kit.status(client, mid)["sent_at"]]
    for seconds in (1, 3, 60):
        advance(client, seconds)
        seen.append(kit.status(client, mid)["sent_at"])
    assert kit.status(client, mid)["status"] == "delivered"
    assert len(set(seen)) == 1 and seen[0].endswith("Z")
