"""Shared helpers for me-sms tests: fixture keys and a send helper (everything goes through HTTP)."""

from __future__ import annotations

from tests.vendors import Shape, Vendor, fixture, first_key, key_of

KEY = first_key("mesms")["key"]
READONLY = key_of("mesms", index=1)["key"]
LOWCREDIT = key_of("mesms", "mesms-lowcredit")["key"]
H = {"x-api-key": KEY}
BASE = "/mesms/api/v2"


_ENVELOPE = frozenset({"error", "code"})
_FIRST = fixture("mesms")["accounts"][0]

#: me-sms for the cross-vendor tests (tests/vendors.py): the README key; me-sms documents no receipts.
VENDOR = Vendor(
    name="mesms", account_id=_FIRST["id"], path="/api/v2/sms/send",
    credentials={"api_key": KEY, "sender": _FIRST["senders"][0]["name"]},
    auth=lambda c: {"x-api-key": c["api_key"]},
    compose=lambda to, text, c: {"sender": c["sender"], "content": text, "msisdns": list(to)},
    number="0812345678", msisdn="66812345678", pair=("66812345678", "66812345677"),
    envelope=_ENVELOPE, error_field="error",
    unauthorized=Shape(401, _ENVELOPE, "code", "UNAUTHORIZED", "x-api-key"),
    too_large=Shape(413, _ENVELOPE, "code", "PAYLOAD_TOO_LARGE", "Request body too large"),
    rate_limited=Shape(429, _ENVELOPE, "code", "RATE_LIMITED", "Rate limit exceeded"),
    limiter={"rate_limit_burst": 1, "rate_limit_per_second": 0.0001},
    webhooks=False, returned_ids=lambda body: [body["uuid"]], currency="THB",
    swagger=(("api_key",), "/api/v2/sms/send", "/api/v2/sms/{uuid}", "uuid", "uuid"),
    catalogue_error=("INSUFFICIENT_CREDITS", 402, {"error": "Insufficient credits", "code": "INSUFFICIENT_CREDITS"}),
)


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
