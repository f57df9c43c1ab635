"""The three recipes of docs/faults.md, run as written (through HTTP, the clock moved by the control API)."""

from __future__ import annotations

from tests.conftest import advance
from tests.faults.kit import VENDORS, credits

CAST, MESMS, SMSCPR = VENDORS["cast"].headers, VENDORS["mesms"].headers, VENDORS["smscpr"].headers


def test_first_send_fails_with_503_and_the_retry_succeeds(client):
    client.post("/_mock/faults", json={"provider": "cast", "method": "POST", "path": "/api/*/sms/send",
                                       "status": 503, "times": 1})
    before = credits(client, "cast-demo")
    body = {"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"}
    first = client.post("/cast/api/v1/sms/send", headers=CAST, json=body)
    assert first.status_code == 503
    assert first.json() == {"success": False, "error": "sim service is disabled", "error_code": "SERVICE_UNAVAILABLE"}
    assert client.get("/_mock/messages", params={"provider": "cast"}).json()["items"] == []
    second = client.post("/cast/api/v1/sms/send", headers=CAST, json=body)
    assert second.status_code == 200 and second.json()["success"] is True
    assert len(client.get("/_mock/messages", params={"provider": "cast"}).json()["items"]) == 1
    assert credits(client, "cast-demo") == before - 1


def test_every_number_in_a_bulk_ending_7_is_undelivered(client):
    rule = client.post("/_mock/faults", json={"name": "sevens", "provider": "mesms", "to": "*7",
                                              "dlr_status": "undelivered"}).json()
    resp = client.post("/mesms/api/v2/sms/send", headers=MESMS,
                       json={"sender": "MeSMS", "content": "Sale!",
                             "msisdns": ["66812345671", "66812345677", "66812345687"]})
    assert resp.status_code == 200, resp.text
    advance(client, 10)
    [msg] = client.get("/_mock/messages", params={"provider": "mesms"}).json()["items"]
    recipients = client.get(f"/_mock/messages/{msg['id']}").json()["recipients"]["items"]
    assert {r["msisdn"]: r["status"] for r in recipients} == {
        "66812345671": "delivered", "66812345677": "undelivered", "66812345687": "undelivered"}
    assert client.get(f"/_mock/faults/{rule['id']}").json()["hits"] == 2
    # the vendor's own view agrees
    polled = client.get(f"/mesms/api/v2/sms/{resp.json()['uuid']}/recipients", headers=MESMS)
    assert polled.status_code == 200, polled.text


def test_receipts_arrive_twice_and_out_of_order(client, receiver):
    client.post("/_mock/faults", json={"provider": "smscpr", "dlr_duplicate": True, "webhook_reorder": True})
    resp = client.post("/smscpr/messages/sms", headers=SMSCPR,
                       json={"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
                             "to": "+15550002222", "body": "Your code is 123456", "callbackUrl": receiver.url("/dlr")})
    assert resp.status_code == 200, resp.text
    advance(client, 20)  # one advance runs everything due in its window, the held-back receipts included
    # Each receipt twice, and the held-back DISPATCHED ones after the DELIVERED ones.
    assert [b["status"] for b in receiver.bodies("/dlr")] == ["DELIVERED", "DELIVERED", "DISPATCHED", "DISPATCHED"]
