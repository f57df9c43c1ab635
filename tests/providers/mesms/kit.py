"""Shared helpers for me-sms tests: fixture keys and a send helper (everything goes through HTTP)."""

from __future__ import annotations

KEY = "mesms_demo_key_0123456789abcdef"
READONLY = "mesms_readonly_key_0123456789ab"
LOWCREDIT = "mesms_lowcredit_key_0123456789ab"
H = {"x-api-key": KEY}
BASE = "/mesms/api/v2"


def send(client, msisdns=("66812345678",), key: str = KEY, **fields):
    body = {"sender": "MeSMS", "content": "Hello", "msisdns": list(msisdns), **fields}
    return client.post(f"{BASE}/sms/send", headers={"x-api-key": key}, json=body)


def sent(client, msisdns=("66812345678",), **fields) -> dict:
    resp = send(client, msisdns, **fields)
    assert resp.status_code == 200, resp.text
    return resp.json()


def credits(client, key: str = KEY) -> int:
    return client.get(f"{BASE}/credits", headers={"x-api-key": key}).json()["credits"]


def error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    # Seed 002: "When the API responds with a 4xx/5xx status code, the body is always JSON in the same shape"
    assert set(body) == {"error", "code"} and body["code"] == code, body
    return body
