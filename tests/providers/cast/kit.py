"""Shared test data for the Cast tests: the fixture keys (fixtures/cast.toml) and small helpers."""

from __future__ import annotations

from tests.vendors import Shape, Vendor, digits, fixture, first_key

README = first_key("cast")["key"]
ONE_SENDER = "cast_6f6e6573656e6465722e6d6f636b7365727665722e636173742e73616e643032"
SIM = "cast_73696d706f6f6c2e6d6f636b7365727665722e636173742e73616e64626f3033"
REVOKED = "cast_7265766f6b65642e6d6f636b7365727665722e636173742e73616e64626f3034"
EXPIRED = "cast_657870697265642e6d6f636b7365727665722e636173742e73616e64626f3035"
IP_10 = "cast_69706c69737431302e6d6f636b7365727665722e636173742e73616e64623036"
IP_LOCAL = "cast_69706c6f63616c2e6d6f636b7365727665722e636173742e73616e64626f3037"
INACTIVE = "cast_696e6163746976652e6d6f636b7365727665722e636173742e73616e64623038"
SANDBOX = "cast_test_73616e64626f782e6d6f636b7365727665722e636173742e73616e64626f3039"
NO_SENDER = "cast_6e6f73656e6465722e6d6f636b7365727665722e636173742e73616e64623130"
LOW = "cast_6c6f7762616c616e63652e6d6f636b7365727665722e636173742e73616e3131"
POSTPAID = "cast_706f7374706169642e6d6f636b7365727665722e636173742e73616e64623132"

V1 = "/cast/api/v1"
LEGACY = "/cast/api"
BOTH = (V1, LEGACY)


_V1_ENVELOPE = frozenset({"success", "error", "error_code"})


def _receipts(body) -> list[tuple[str, str]]:
    return [(digits(body.get("to", "")), body.get("status", ""))] if isinstance(body, dict) else []


#: Cast for the cross-vendor tests (tests/vendors.py): the v1 send with the README key.
VENDOR = Vendor(
    name="cast", account_id=fixture("cast")["accounts"][0]["id"], path="/api/v1/sms/send",
    credentials={"api_key": README}, auth=lambda c: {"X-API-Key": c["api_key"]},
    compose=lambda to, text, c: {"to": to[0], "message": text, "sender_id": "CAST"},
    number="09171234567", msisdn="639171234567", pair=("639171234568", "639171234567"),
    envelope=_V1_ENVELOPE, error_field="error",
    unauthorized=Shape(401, _V1_ENVELOPE, "error_code", "INVALID_API_KEY", "X-API-Key"),
    too_large=Shape(413, _V1_ENVELOPE, "error_code", "INVALID_REQUEST", "request body too large"),
    rate_limited=Shape(429, _V1_ENVELOPE, "error_code", "RATE_LIMIT_EXCEEDED", "rate limit exceeded"),
    limiter={"rate_limit_burst": 1, "retry_after": 86_400},
    envelope_at=lambda path: _V1_ENVELOPE if path.startswith("/api/v1/") else frozenset({"success", "error"}),
    receipts=_receipts, returned_ids=lambda body: [body["message_id"]], currency="PHP",
    body_limit=1024 * 1024, also=("/api/sms/send",),
    swagger=(("api_key",), "/api/sms/send", "/api/sms/status/{message_id}", "message_id", "message_id"),
    catalogue_error=("SERVICE_UNAVAILABLE", 503, {"success": False, "error": "sim service is disabled",
                                                  "error_code": "SERVICE_UNAVAILABLE"}),
)


def h(key: str = README, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def send(client, body: dict, key: str = README, path: str = "sms/send", base: str = V1, **headers: str):
    return client.post(f"{base}/{path}", headers=h(key, **headers), json=body)


def balance(client, key: str = README) -> int:
    resp = client.get(f"{V1}/account/balance", headers=h(key))
    assert resp.status_code == 200, resp.text
    return resp.json()["credits"]


def status(client, message_id: str, key: str = README, path: str = "sms/status") -> dict:
    resp = client.get(f"{V1}/{path}/{message_id}", headers=h(key))
    assert resp.status_code == 200, resp.text
    return resp.json()


def logs(client, key: str = README, **params) -> list[dict]:
    resp = client.get(f"{V1}/sms/logs", headers=h(key), params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["logs"]


def err(message: str, code: str | None = None) -> dict:
    """Cast's error body: legacy without error_code, v1 with it."""
    return {"success": False, "error": message, **({"error_code": code} if code else {})}


def new_account(client, credits: int = 1000, **fields) -> str:
    """A fresh Cast account through the control API; returns its key (sender CAST approved)."""
    resp = client.post("/_mock/accounts", json={"provider": "cast", "credits": credits, **fields})
    assert resp.status_code == 201, resp.text
    return resp.json()["credentials"]["api_key"]
