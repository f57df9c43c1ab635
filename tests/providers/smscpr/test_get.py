"""GET /v1/messages/sms/{msgId}: one DeliveryReceipt, filled in as the message reaches its final state."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.smscpr.kit import AUTH, ISO_MS_RE, RECEIPT_KEYS, send


def _get(client, msg_id: str) -> dict:
    resp = client.get(f"/smscpr/v1/messages/sms/{msg_id}", headers=AUTH)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_receipt_fills_final_fields_only_when_final(client):
    sent = send(client, body="hello " * 30).json()  # 180 GSM-7 chars: two parts
    advance(client, 1)
    dispatched = _get(client, sent["msgId"])
    assert dispatched["status"] == "DISPATCHED"
    assert [dispatched[k] for k in ("sentAt", "doneAt", "price", "ptf", "mccmnc")] == [None] * 5
    advance(client, 3)
    done = _get(client, sent["msgId"])
    assert list(done) == RECEIPT_KEYS
    assert done["status"] == "DELIVERED" and done["errorCode"] == "000" and done["parts"] == 2
    assert done["price"] == 0.015 and done["ptf"] == 0.006 and done["mccmnc"] == "310260"
    assert ISO_MS_RE.fullmatch(done["sentAt"]) and done["createdAt"] < done["sentAt"] < done["doneAt"]
    assert {k: v for k, v in done.items() if k not in ("status", "sentAt", "doneAt", "price", "ptf", "mccmnc")} == \
           {k: v for k, v in sent.items() if k not in ("status", "sentAt", "doneAt", "price", "ptf", "mccmnc")}


def test_non_nanp_destination_has_no_pass_through_fee(client):
    msg_id = send(client, to="+639171234567").json()["msgId"]
    advance(client, 5)
    done = _get(client, msg_id)
    assert done["price"] == 0.0075 and done["ptf"] == 0.0 and done["mccmnc"] == "51502"


def test_failed_message_reports_its_error(client):
    msg_id = send(client, to="+639170999001").json()["msgId"]
    advance(client, 5)
    done = _get(client, msg_id)
    assert (done["status"], done["errorCode"], done["errorMessage"]) == (
        "FAILED", "101", "Submission to the carrier failed")
    assert done["sentAt"] is None and done["price"] == 0.0 and done["doneAt"] is not None
