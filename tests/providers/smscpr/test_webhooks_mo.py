"""MO webhooks: an inbound message injected with POST /_mock/inbound reaches the account's inbound URL
in the seed's shape, field for field."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.smscpr.kit import ACCOUNT, ISO_MS_RE, OTHER_ACCOUNT, OTHER_PLAN, SEED_MO, UUID7_RE


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


def test_the_seed_receivedat_renders_exactly(client, receiver):
    """On the sandbox clock set to the seed's instant, the MO's receivedAt is the seed's, to the millisecond."""
    assert client.post("/_mock/clock/set", json={"iso": SEED_MO["receivedAt"]}).status_code == 200
    _point_mo_url(client, ACCOUNT, receiver.url("/mo"))
    _inject(client, **{"from": SEED_MO["from"], "to": SEED_MO["to"], "body": SEED_MO["body"]})
    [got] = receiver.bodies("/mo")
    assert {k: v for k, v in got.items() if k != "msgId"} == {k: v for k, v in SEED_MO.items() if k != "msgId"}
    [hook] = client.get("/_mock/webhooks", params={"provider": "smscpr", "kind": "mo"}).json()["items"]
    assert hook["url"] == receiver.url("/mo")
