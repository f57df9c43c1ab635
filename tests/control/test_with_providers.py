"""End to end with whichever real providers have landed (skipped when a provider is absent):
control-made credentials work on the vendor API, and a Cast send reaches the wait long-poll and
its DLR URL through the clock."""

from __future__ import annotations

import pytest

from mockserver.providers import PROVIDERS
from tests.conftest import advance
from tests.vendors import VENDORS

CAST, ENGAGELAB = VENDORS["cast"], VENDORS["engagelab"]
WITH_CREDENTIALS = sorted(name for name, p in PROVIDERS.items() if p.make_credentials is not None)


@pytest.mark.parametrize("provider", WITH_CREDENTIALS)
def test_control_creates_accounts_for_every_provider(client, provider):
    resp = client.post("/_mock/accounts", json={"provider": provider, "credits": 77})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["provider"] == provider and body["credits"] == 77
    assert body["credentials"] and body["keys"]


def test_cast_send_is_seen_by_wait_and_its_dlrs_arrive(client, receiver):
    acc = client.post("/_mock/accounts", json={"provider": "cast", "dlr_url": receiver.url("/dlr")}).json()
    headers = {"X-API-Key": acc["credentials"]["api_key"]}
    sent = client.post("/cast/api/v1/sms/send", headers=headers,
                       json={"to": "09171234567", "message": "Your verification code is 123456."})
    assert sent.status_code == 200, sent.text
    found = client.get("/_mock/messages/wait", params={"account_id": acc["id"], "timeout": 5})
    assert found.status_code == 200
    assert (found.json()["otp"], found.json()["provider"], found.json()["to"]) == ("123456", "cast", "639171234567")
    advance(client, 10)
    done = client.get(f"/_mock/messages/{found.json()['id']}").json()
    assert done["status"] == "completed" and done["counts"] == {"delivered": 1}
    dlrs = receiver.bodies("/dlr")
    assert len(dlrs) == 2 and {d["message_id"] for d in dlrs} == {sent.json()["message_id"]}
    assert [w["status"] for w in done["webhooks"]] == ["delivered", "delivered"]


def test_public_id_filter_finds_the_ids_vendors_return(client):
    cast = client.post("/cast/api/sms/bulk", headers=CAST.headers,
                       json={"to": ["09171234567", "09181234567"], "message": "hi", "sender_id": "CAST"})
    second = cast.json()["results"][1]["message_id"]
    found = client.get("/_mock/messages", params={"public_id": second}).json()["items"]
    assert [m["provider"] for m in found] == ["cast"]
    lab = ENGAGELAB.send(client, text="x").json()
    by_target = client.get("/_mock/messages", params={"public_id": lab["message_id"]}).json()["items"]
    by_plan = client.get("/_mock/messages", params={"public_id": lab["plan_id"]}).json()["items"]
    assert [m["id"] for m in by_target] == [m["id"] for m in by_plan] and len(by_plan) == 1
    assert client.get("/_mock/messages", params={"public_id": "nope"}).json()["items"] == []


@pytest.mark.parametrize("provider, currency", [(v.name, v.currency) for v in VENDORS.values()])
def test_control_made_accounts_take_their_providers_currency(client, provider, currency):
    assert client.post("/_mock/accounts", json={"provider": provider}).json()["currency"] == currency
