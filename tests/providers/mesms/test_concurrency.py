"""Parallel small sends on a real uvicorn server: they share group commits (one transaction for many
requests), yet credits are never overdrawn, each refusal is me-sms's 402, and every 200 is stored."""

from __future__ import annotations

from collections import Counter

import httpx

from tests.providers.cast.test_concurrency import _fire, server  # noqa: F401  (the live-server fixture)
from tests.providers.mesms.kit import BASE


def _account(http: httpx.Client, credits: int) -> str:
    resp = http.post("/_mock/accounts", json={"provider": "mesms", "credits": credits})
    assert resp.status_code == 201, resp.text
    return resp.json()["credentials"]["api_key"]


def test_parallel_small_sends_never_overdraw(server):  # noqa: F811
    with httpx.Client(base_url=server, timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        key = _account(http, credits=6)
        headers = {"x-api-key": key}
        results = _fire(http, 40, lambda i: http.post(f"{BASE}/sms/send", headers=headers, json={
            "sender": "MeSMS", "content": "race", "msisdns": [f"6681{i:07d}"]}))
        assert Counter(r.status_code for r in results) == {200: 6, 402: 34}
        assert {(r.json()["code"], r.json()["error"]) for r in results if r.status_code == 402} \
            == {("INSUFFICIENT_CREDITS", "Insufficient credits")}
        accepted = {r.json()["uuid"] for r in results if r.status_code == 200}
        assert http.get(f"{BASE}/credits", headers=headers).json() == {"credits": 0}
        listed = http.get(f"{BASE}/sms", headers=headers, params={"limit": 100}).json()["data"]
        assert {m["uuid"] for m in listed} == accepted and len(accepted) == 6
