"""Shared helpers for the EngageLab tests: credentials, sending, and sandbox set-up through the control API
(configuring an account's callback URL, reading the stored plan, the balance)."""

from __future__ import annotations

from tests.vendors import Shape, Vendor, digits, fixture, first_key, key_of
from tests.vendors import basic as _basic

_FIRST = fixture("engagelab")["accounts"][0]
BASE = "/engagelab"
ACCOUNT = _FIRST["id"]
DEV_KEY, DEV_SECRET = first_key("engagelab")["key"], first_key("engagelab")["secret"]
DISABLED_KEY, EXPIRED_KEY, CONFIG_KEY = (key_of("engagelab", index=i)["key"] for i in (1, 2, 3))
CALLBACK_USERNAME, CALLBACK_SECRET = _FIRST["extra"]["callback_username"], _FIRST["extra"]["callback_secret"]


def basic(key: str = DEV_KEY, secret: str = DEV_SECRET) -> dict[str, str]:
    return {"Authorization": _basic(key, secret)}


AUTH = basic()
_SEND_ENVELOPE = frozenset({"plan_id", "total_count", "accepted_count", "message", "code"})


def _receipts(body) -> list[tuple[str, str]]:
    out = []
    for row in body.get("rows", []) if isinstance(body, dict) else []:
        status = row.get("status", {})
        word = status.get("message_status", "") if isinstance(status, dict) else status
        out.append((digits(row.get("to", "")), str(word)))
    return out


#: EngageLab for the cross-vendor tests (tests/vendors.py): the seed's template 1233 with the dev key. It
#: has no request rate limit: its only 429 is back-pressure's (code 1000).
VENDOR = Vendor(
    name="engagelab", account_id=ACCOUNT, path="/v1/messages",
    credentials={"dev_key": DEV_KEY, "dev_secret": DEV_SECRET},
    auth=lambda c: basic(c["dev_key"], c["dev_secret"]),
    compose=lambda to, text, c: {"to": ["+" + n.lstrip("+") for n in to],
                                 "template": {"id": 1233, "params": {"content": text}}},
    number="923700056581", msisdn="923700056581", pair=("8618701235678", "8618701235677"),
    envelope=_SEND_ENVELOPE, error_field="code",
    unauthorized=Shape(401, _SEND_ENVELOPE, "code", 2001, "Authentication failed"),
    too_large=Shape(413, _SEND_ENVELOPE, "code", 3002, "request body too large"),
    rate_limited=Shape(429, _SEND_ENVELOPE, "code", 1000, "retry after"),
    limiter=None,
    envelope_at=lambda path: _SEND_ENVELOPE if path == "/v1/messages" else frozenset({"code", "message"}),
    receipts=_receipts, returned_ids=lambda body: [body["plan_id"], body["message_id"]], currency="USD",
    # EngageLab has no message lookup: its plan_id is looked up in /_mock/docs (tests/e2e/test_swagger_browser.py).
    swagger=(("dev_key", "dev_secret"), "/v1/messages", None, None, "plan_id"),
    catalogue_error=("OTP_SEND_FAILED", 400, {"total_count": 1, "accepted_count": 0, "code": 5001,
                                              "message": "Verification code message sending failed"}),
)


def send(client, body: dict, headers: dict | None = None):
    return client.post(f"{BASE}/v1/messages", json=body, headers=AUTH if headers is None else headers)


def tpl(template_id, to="+8618701235678", **params) -> dict:
    return {"to": to, "template": {"id": template_id, "params": params}}


def set_callback(client, url: str | None, account_id: str = ACCOUNT, **extra):
    """Configure the account's callback URL through the control API (which POSTs the {} probe first)."""
    body: dict = {"dlr_url": url}
    if extra:
        body["extra"] = extra
    return client.patch(f"/_mock/accounts/{account_id}", json=body)


def stored_plan(client, plan_id: str) -> dict:
    """The sandbox's view of a plan (control API): body, parts, credits, recipients' counts."""
    resp = client.get("/_mock/messages/latest", params={"provider": "engagelab", "public_id": plan_id})
    assert resp.status_code == 200, resp.text
    return resp.json()


def balance(client, account_id: str = ACCOUNT) -> int:
    return client.get(f"/_mock/accounts/{account_id}").json()["credits"]


def plan_count(client) -> int:
    return len(client.get("/_mock/messages", params={"provider": "engagelab", "limit": 500}).json()["items"])


def rows(receiver, path: str = "/hook") -> list[dict]:
    """Every callback row the receiver got, in arrival order (the {} probe excluded)."""
    out = []
    for body in receiver.bodies(path):
        if isinstance(body, dict) and "rows" in body:
            assert body["total"] == len(body["rows"])
            out.extend(body["rows"])
    return out
