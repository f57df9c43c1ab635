"""Per client IP: 30 req/s, burst 50, then 429 with Retry-After: 60 (token bucket on the sandbox
clock, reset by /_mock/reset, off with MOCKSERVER_RATE_LIMIT_ENABLED=false). Per account: 10 sends/s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, h, send


def _burn(client, n: int, headers=None) -> list[int]:
    return [client.get(f"{V1}/account/balance", headers=headers or h()).status_code for _ in range(n)]


@pytest.mark.parametrize("base", BOTH)
def test_burst_of_50_then_429(client, base):
    assert _burn(client, 50) == [200] * 50
    resp = client.get(f"{base}/account/balance", headers=h())
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "60"
    assert resp.json() == err("rate limit exceeded", "RATE_LIMIT_EXCEEDED" if base == V1 else None)


def test_refills_at_30_per_second(client):
    _burn(client, 51)
    advance(client, 1)
    assert _burn(client, 31) == [200] * 30 + [429]


def test_limit_applies_before_auth(client):
    assert set(_burn(client, 50, headers={"X-API-Key": "nope"})) == {401}
    assert client.get(f"{V1}/account/balance", headers=h()).status_code == 429


def test_reset_refills(client):
    _burn(client, 51)
    assert client.post("/_mock/reset", json={"provider": "cast"}).status_code == 200
    assert _burn(client, 1) == [200]


def test_global_switch_turns_it_off(client_factory):
    client = client_factory(rate_limit_enabled=False)
    assert set(_burn(client, 120)) == {200}
    assert set(send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}).status_code
               for _ in range(15)) == {200}


def test_ips_have_their_own_buckets(client):
    _burn(client, 51)
    other = TestClient(client.app, client=("10.9.8.7", 1234))
    assert other.get(f"{V1}/account/balance", headers=h()).status_code == 200


def test_per_account_send_rate(client):
    body = {"to": "09171234567", "message": "x", "sender_id": "CAST"}
    assert [send(client, body).status_code for _ in range(11)] == [200] * 10 + [429]
    resp = send(client, body, base="/cast/api")
    assert resp.headers["Retry-After"] == "60" and resp.json() == err("rate limit exceeded")
    assert client.get(f"{V1}/account/balance", headers=h()).status_code == 200  # reads are not sends
    assert send(client, {"to": "09171234567", "message": "x"}, key=kit.ONE_SENDER).status_code == 200
    advance(client, 1)
    assert send(client, body).status_code == 200
    assert kit.balance(client) == 1_000_000 - 11
