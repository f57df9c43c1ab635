"""Cast documents no webhooks; the sandbox's DESIGNED ones: a status callback mirroring /sms/status
to the account's dlr_url on every change, an MO callback to its mo_url, and nothing otherwise."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import V1, h, send


def test_status_callbacks_mirror_sms_status(client, receiver):
    key = kit.new_account(client, dlr_url=receiver.url("/dlr"))
    mid = send(client, {"to": "09171234567", "message": "hello"}, key=key).json()["message_id"]
    assert receiver.bodies("/dlr") == []
    advance(client, 1)
    advance(client, 3)
    sent, delivered = receiver.bodies("/dlr")
    status = kit.status(client, mid, key)
    assert delivered == {"event": "message.status", "message_id": mid, "status": "delivered",
                         "sent_at": status["sent_at"], "dlr_status": "DELIVRD", "delivered_at": status["delivered_at"],
                         "to": "639171234567", "message_type": "sms"}
    assert sent == {"event": "message.status", "message_id": mid, "status": "pending", "sent_at": status["sent_at"],
                    "dlr_status": "ACCEPTD", "to": "639171234567", "message_type": "sms"}
    headers = receiver.requests[0]["headers"]
    assert headers["X-Cast-Event"] == "message.status" and headers["Content-Type"] == "application/json"


def test_failure_and_bulk_callbacks(client, receiver):
    key = kit.new_account(client, dlr_url=receiver.url("/dlr"))
    body = send(client, {"to": ["09170999001", "09170999002"], "message": "x"}, key=key, path="sms/bulk").json()
    advance(client, 10)
    by_id = {}
    for b in receiver.bodies("/dlr"):
        by_id.setdefault(b["message_id"], []).append((b["status"], b.get("dlr_status"), b.get("error_message")))
    failed, undelivered = (r["message_id"] for r in body["results"])
    assert by_id[failed] == [("failed", None, "SMPP submit failed; credits refunded")]
    assert by_id[undelivered] == [("pending", "ACCEPTD", None), ("undelivered", "UNDELIV", "handset unreachable")]


def test_scheduled_message_reports_each_step(client, receiver):
    key = kit.new_account(client, dlr_url=receiver.url("/dlr"))
    send(client, {"to": "09171234567", "message": "x", "scheduled_at": "2099-01-01T00:00:00Z"}, key=key)
    client.post("/_mock/clock/set", json={"iso": "2099-01-01T00:00:10Z"})
    assert [b["status"] for b in receiver.bodies("/dlr")] == ["sent", "pending", "delivered"]


def test_viber_callbacks_use_the_viber_shape(client, receiver):
    key = kit.new_account(client, dlr_url=receiver.url("/dlr"), allowed_channels=["sms", "viber"])
    client.post(f"{V1}/viber/send", headers=h(key),
                json={"recipient": "+639171234567", "content": [{"type": "text", "text": "hi"}]})
    advance(client, 5)
    last = receiver.bodies("/dlr")[-1]
    assert (last["status"], last["delivery_status"], last["message_type"]) == ("sent", 70, "viber")


def test_no_dlr_url_means_no_callbacks(client, receiver):
    send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"})
    advance(client, 10)
    assert client.get("/_mock/webhooks", params={"provider": "cast"}).json()["items"] == []


def test_inbound_goes_to_mo_url(client, receiver):
    key = kit.new_account(client, mo_url=receiver.url("/mo"))
    account = client.get("/_mock/accounts", params={"provider": "cast"}).json()
    account_id = next(a["id"] for a in account if a["keys"][0]["key"] == key)
    resp = client.post("/_mock/inbound", json={"provider": "cast", "account_id": account_id,
                                               "from": "+639171234567", "to": "CAST", "body": "STOP"})
    assert resp.status_code == 201
    [mo] = receiver.bodies("/mo")
    assert mo.pop("received_at").endswith("Z")
    assert mo == {"event": "message.inbound", "id": resp.json()["public_id"], "from": "+639171234567", "to": "CAST",
                  "message": "STOP"}
    assert receiver.requests[0]["headers"]["X-Cast-Event"] == "message.inbound"


def test_inbound_without_mo_url_sends_nothing(client):
    resp = client.post("/_mock/inbound", json={"provider": "cast", "account_id": "cast-demo",
                                               "from": "+639171234567", "to": "CAST", "body": "hi"})
    assert resp.status_code == 201 and resp.json()["webhooks"] == []
