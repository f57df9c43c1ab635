"""/_mock/inbound: an injected MO message is stored and reaches the account's inbound URL."""

from __future__ import annotations

from mockserver.core.models import Sender
from mockserver.core.store import catalog
from tests.core.kit import install, runtime_of


def test_mo_injection_reaches_the_inbound_url(client, receiver):
    install(client, mo_url=receiver.url("/mo"))
    resp = client.post("/_mock/inbound", json={"provider": "testprov", "account_id": "acc-1", "from": "+639171234567",
                                               "to": "21581234", "body": "YES 1234"})
    assert resp.status_code == 201
    body = resp.json()
    assert (body["from"], body["to"], body["body"], body["codes"]) == ("+639171234567", "21581234", "YES 1234", ["1234"])
    assert receiver.bodies("/mo") == [{"from": "+639171234567", "to": "21581234", "text": "YES 1234", "id": body["public_id"]}]
    [hook] = body["webhooks"]
    assert (hook["kind"], hook["status"], hook["attempt_log"][0]["response_status"]) == ("mo", "delivered", 200)
    listed = client.get("/_mock/inbound", params={"provider": "testprov"}).json()
    assert [m["id"] for m in listed] == [body["id"]]
    assert client.get("/_mock/webhooks", params={"kind": "mo"}).json()["items"][0]["id"] == hook["id"]


def test_account_is_found_by_its_number(client, receiver):
    install(client, mo_url=receiver.url("/mo"))
    rt = runtime_of(client)
    with rt.db.write() as conn:
        catalog.add_sender(conn, Sender(provider="testprov", account_id="acc-1", name="+639990001111"))
    resp = client.post("/_mock/inbound", json={"provider": "testprov", "from": "+639171234567", "to": "639990001111",
                                               "body": "hi"})
    assert resp.status_code == 201 and resp.json()["account_id"] == "acc-1"
    unknown = client.post("/_mock/inbound", json={"provider": "testprov", "from": "+1", "to": "555", "body": "hi"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [{"type": "value_error", "loc": ["body", "account_id"], "input": None,
                                         "msg": "0 testprov accounts own '555' as a sender; pass account_id"}]


def test_without_mo_url_the_message_is_stored_but_not_sent(client, receiver):
    install(client)
    body = client.post("/_mock/inbound", json={"provider": "testprov", "account_id": "acc-1", "from": "+1",
                                               "to": "2", "body": "x"}).json()
    assert body["webhooks"] == [] and receiver.requests == []


def test_inbound_refusals(client):
    install(client)
    base = {"from": "+1", "to": "2", "body": "x"}
    assert client.post("/_mock/inbound", json={**base, "provider": "nope"}).status_code == 404
    assert client.post("/_mock/inbound", json={**base, "provider": "testprov", "account_id": "zzz"}).status_code == 404
    assert client.post("/_mock/inbound", json={"provider": "testprov"}).status_code == 422
