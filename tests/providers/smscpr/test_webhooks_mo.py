"""MO webhooks: an inbound message injected with POST /_mock/inbound reaches the account's inbound URL
in the seed's shape, field for field."""

from __future__ import annotations

import json

from mockserver.core.clock import parse_iso
from mockserver.core.models import Account, Inbound
from tests.conftest import advance
from tests.providers.smscpr.helpers import ACCOUNT, ISO_MS_RE, OTHER_ACCOUNT, OTHER_PLAN, SEED_MO, UUID7_RE


def _point_mo_url(client, account_id: str, url: str) -> None:
    resp = client.patch(f"/_mock/accounts/{account_id}", json={"mo_url": url})
    assert resp.status_code == 200, resp.text


def _inject(client, **fields) -> dict:
    resp = client.post("/_mock/inbound", json={"provider": "smscpr", **fields})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_seed_mo_reaches_the_inbound_url_field_for_field(client, receiver):
    _point_mo_url(client, ACCOUNT, receiver.url("/sms/inbound"))
    injected = _inject(client, **{"from": "+15550002222", "to": "+15550001111",
                                  "body": "Need status update for order 12345"})
    [got] = receiver.bodies("/sms/inbound")
    assert list(got) == list(SEED_MO)
    for key, value in SEED_MO.items():
        if key == "msgId":
            assert UUID7_RE.fullmatch(got[key]) and got[key] == injected["public_id"]
        elif key == "receivedAt":
            assert ISO_MS_RE.fullmatch(got[key]) and got[key] == injected["received_at"]
        else:
            assert got[key] == value, key
    assert receiver.requests[0]["headers"]["Content-Type"] == "application/json"


def test_keyword_is_the_first_word(client, receiver):
    _point_mo_url(client, ACCOUNT, receiver.url())
    _inject(client, **{"from": "+15550002222", "to": "+15550001111", "body": "  STOP\tplease"})
    _inject(client, **{"from": "+15550002222", "to": "+15550001111", "body": "ยกเลิก ครับ"})
    assert [b["keyword"] for b in receiver.bodies()] == ["STOP", "ยกเลิก"]
    assert receiver.bodies()[0]["body"] == "  STOP\tplease"


def test_service_plan_comes_from_meta_or_the_account(client, receiver):
    _point_mo_url(client, OTHER_ACCOUNT, receiver.url())
    _inject(client, **{"from": "+15550002222", "to": "+15550003333", "body": "hi"})
    _inject(client, **{"from": "+15550002222", "to": "+15550003333", "body": "hi", "meta": {"servicePlanId": "abc"}})
    assert [b["servicePlanId"] for b in receiver.bodies()] == [OTHER_PLAN, "abc"]


def test_no_inbound_url_no_webhook(client, receiver):
    injected = _inject(client, **{"from": "+15550002222", "to": "+15550003333", "body": "hi"})
    assert injected["webhooks"] == []
    advance(client, 60)
    assert receiver.bodies() == []


def test_failed_mo_delivery_is_retried(client, receiver):
    _point_mo_url(client, ACCOUNT, receiver.url())
    receiver.script = [503]
    _inject(client, **{"from": "+15550002222", "to": "+15550001111", "body": "Need help"})
    advance(client, 2)
    first, second = receiver.bodies()
    assert first == second and first["keyword"] == "Need"


def test_shaper_builds_the_mo_for_any_inbound(client):
    """The shaper alone (what the control API calls): the seed's receivedAt renders exactly."""
    shaper = client.app.state.runtime.shapers["smscpr"]
    inbound = Inbound(public_id="019f0000-aaaa-bbbb-cccc-000000000001", provider="smscpr", account_id=ACCOUNT,
                      sender="+15550002222", recipient="+15550001111", body="Need status update for order 12345",
                      received_at=parse_iso("2026-06-22T05:10:03.120Z"))
    account = Account(id=ACCOUNT, provider="smscpr", mo_url="http://127.0.0.1:9/mo",
                      extra='{"servicePlanIds": ["222222222222222222222222"]}')
    [hook] = shaper.inbound_webhooks(inbound, account)
    assert json.loads(hook.body) == SEED_MO
    assert hook.url == "http://127.0.0.1:9/mo" and hook.kind == "mo"
