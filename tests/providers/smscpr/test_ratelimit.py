"""429 with Retry-After from the per-account token bucket; configurable, switchable off, reset on reset."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.smscpr.kit import AUTH, OTHER_AUTH

LIST = "/smscpr/v1/messages/sms"


def _burst(client, n: int, headers=AUTH) -> list[int]:
    return [client.get(LIST, headers=headers).status_code for _ in range(n)]


def test_burst_then_429_with_retry_after(client_factory):
    client = client_factory(provider_settings={"smscpr": {"rate_limit_burst": 3, "rate_limit_per_second": 0.5}})
    assert _burst(client, 3) == [200, 200, 200]
    resp = client.get(LIST, headers=AUTH)
    assert resp.status_code == 429
    assert resp.headers["retry-after"] == "2"
    assert resp.json() == {"errorCode": "TOO_MANY_REQUESTS", "errorMessage": "rate limit exceeded; retry after 2 s",
                           "details": []}
    assert _burst(client, 1, OTHER_AUTH) == [200]  # buckets are per account
    advance(client, 2)  # the sandbox clock refills the bucket
    assert _burst(client, 2) == [200, 429]


def test_default_limit_allows_a_burst_of_60(client):
    assert _burst(client, 60) == [200] * 60
    resp = client.get(LIST, headers=AUTH)
    assert resp.status_code == 429 and resp.headers["retry-after"] == "1"


def test_global_switch_turns_it_off(client_factory):
    client = client_factory(rate_limit_enabled=False, provider_settings={"smscpr": {"rate_limit_burst": 1}})
    assert set(_burst(client, 5)) == {200}


def test_provider_switch_turns_it_off(client_factory):
    client = client_factory(provider_settings={"smscpr": {"rate_limit_burst": 1, "rate_limit_enabled": False}})
    assert set(_burst(client, 5)) == {200}


def test_reset_refills_every_bucket(client_factory):
    client = client_factory(provider_settings={"smscpr": {"rate_limit_burst": 1, "rate_limit_per_second": 0.001}})
    assert _burst(client, 2) == [200, 429]
    assert client.post("/_mock/reset", json={"provider": "smscpr"}).status_code == 200
    assert _burst(client, 2) == [200, 429]
