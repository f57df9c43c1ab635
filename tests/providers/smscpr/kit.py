"""Shared constants and helpers for the SMSCPR tests: fixture tokens and the seed's examples verbatim."""

from __future__ import annotations

import json
import re

from tests.vendors import Shape, Vendor, digits, fixture, first_key, key_of

TOKEN = first_key("smscpr")["key"]
REVOKED_TOKEN, EXPIRED_TOKEN = key_of("smscpr", index=1)["key"], key_of("smscpr", index=2)["key"]
OTHER_TOKEN = "smscpr_sandbox_token_333333333333333333333333"
POOR_TOKEN = "smscpr_sandbox_token_555555555555555555555555"
ACCOUNT = "111111111111111111111111"
PLAN = "222222222222222222222222"
OTHER_ACCOUNT = "333333333333333333333333"
OTHER_PLAN = "444444444444444444444444"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OTHER_AUTH = {"Authorization": f"Bearer {OTHER_TOKEN}"}

UUID7_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ISO_MS_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

# The seed's Send SMS curl (-d payload and headers), byte for byte.
SEED_SEND_BODY = """{
    "servicePlanId": "222222222222222222222222",
    "channel": "SMS",
    "from": "+15550001111",
    "to": "+15550002222",
    "body": "Your verification code is 123456",
    "callbackUrl": "https://client.example.com/sms/status"
  }"""
SEED_SEND_HEADERS = {"Authorization": "Bearer <token>", "Content-Type": "application/json"}

# The seed's DLR and MO webhook examples.
SEED_DLR = json.loads("""{
    "accountId": "111111111111111111111111",
    "servicePlanId": "222222222222222222222222",
    "msgId": "019ee2da-e515-7322-805f-1ac6ce82f20f",
    "channel": "SMS",
    "direction": "MT",
    "from": "+15550001111",
    "to": "+15550002222",
    "body": "Your verification code is 123456",
    "status": "DELIVERED",
    "errorCode": "000",
    "errorMessage": "No error"
  }""")
SEED_MO = json.loads("""{
    "servicePlanId": "222222222222222222222222",
    "msgId": "019f0000-aaaa-bbbb-cccc-000000000001",
    "channel": "SMS",
    "direction": "MO",
    "from": "+15550002222",
    "to": "+15550001111",
    "keyword": "Need",
    "body": "Need status update for order 12345",
    "receivedAt": "2026-06-22T05:10:03.120Z"
  }""")

RECEIPT_KEYS = ["accountId", "servicePlanId", "msgId", "channel", "direction", "from", "to", "body", "status",
                "errorCode", "errorMessage", "callbackUrl", "parts", "createdAt", "sentAt", "doneAt", "price",
                "ptf", "mccmnc"]


_ENVELOPE = frozenset({"errorCode", "errorMessage", "details"})
_FIRST = fixture("smscpr")["accounts"][0]


def _receipts(body) -> list[tuple[str, str]]:
    return [(digits(body.get("to", "")), body.get("status", ""))] if isinstance(body, dict) else []


#: SMSCPR for the cross-vendor tests (tests/vendors.py): the seed's account, plan and number.
VENDOR = Vendor(
    name="smscpr", account_id=_FIRST["id"], path="/messages/sms",
    credentials={"token": TOKEN, "authorization": f"Bearer {TOKEN}",
                 "servicePlanId": _FIRST["extra"]["servicePlanIds"][0]},
    auth=lambda c: {"Authorization": c["authorization"]},
    compose=lambda to, text, c: {"servicePlanId": c["servicePlanId"], "channel": "SMS",
                                 "from": _FIRST["senders"][0]["name"], "to": "+" + to[0].lstrip("+"), "body": text},
    number="+15550002222", msisdn="15550002222", pair=("15550002222", "15550002227"),
    envelope=_ENVELOPE, error_field="errorCode",
    unauthorized=Shape(401, _ENVELOPE, "errorCode", "UNAUTHORIZED", "Authorization"),
    too_large=Shape(413, _ENVELOPE, "errorCode", "PAYLOAD_TOO_LARGE", "request body is too large"),
    rate_limited=Shape(429, _ENVELOPE, "errorCode", "TOO_MANY_REQUESTS", "rate limit exceeded; retry after"),
    limiter={"rate_limit_burst": 1, "rate_limit_per_second": 0.0001},
    receipts=_receipts,
    body_limit=64 * 1024, returned_ids=lambda body: [body["msgId"]], currency="USD",
    swagger=(("token",), "/messages/sms", "/v1/messages/sms/{msgId}", "msgId", "msgId"),
    catalogue_error=("INTERNAL_ERROR", 500, {"errorCode": "INTERNAL_ERROR", "details": [],
                                             "errorMessage": "internal error; the request was not processed"}),
)


def seed_send_headers(token: str = TOKEN) -> dict[str, str]:
    """The seed's curl headers with <token> filled in (the only change the README asks for)."""
    return {k: v.replace("<token>", token) for k, v in SEED_SEND_HEADERS.items()}


def body(**overrides) -> dict:
    """The seed's send body as a dict, with overrides (None removes a field)."""
    data = json.loads(SEED_SEND_BODY)
    data.pop("callbackUrl")
    for key, value in overrides.items():
        key = "from" if key == "from_" else key
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def send(client, headers: dict | None = None, **overrides):
    return client.post("/smscpr/v1/sendsms", json=body(**overrides), headers=headers or AUTH)


def account(client, account_id: str = ACCOUNT) -> dict:
    """The account as the control API shows it (credits, extra, callback URLs)."""
    resp = client.get(f"/_mock/accounts/{account_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def credits(client, account_id: str = ACCOUNT) -> int:
    return account(client, account_id)["credits"]


def stored(client, what: str = "messages") -> list[dict]:
    """SMSCPR's stored messages or webhooks, through the control API."""
    resp = client.get(f"/_mock/{what}", params={"provider": "smscpr", "limit": 500})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]
