"""Shared helpers for the EngageLab tests: credentials, sending, and sandbox set-up through the control API
(configuring an account's callback URL, reading the stored plan, the balance)."""

from __future__ import annotations

import base64

BASE = "/engagelab"
ACCOUNT = "engagelab-demo"
DEV_KEY, DEV_SECRET = "engagelab_dev_key", "engagelab_dev_secret"
CALLBACK_USERNAME, CALLBACK_SECRET = "engagelab-sandbox", "engagelab-callback-secret"


def basic(key: str = DEV_KEY, secret: str = DEV_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


AUTH = basic()


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
