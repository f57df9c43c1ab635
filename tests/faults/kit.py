"""One table of the four vendors for fault tests: how each sends, where its send path is, which account
its fixture credential belongs to, and how its receipts name a status. Everything goes through HTTP."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Callable

CAST_KEY = "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"
SMSCPR_TOKEN = "smscpr_sandbox_token_111111111111111111111111"
MESMS_KEY = "mesms_demo_key_0123456789abcdef"
ENGAGELAB_AUTH = "Basic " + base64.b64encode(b"engagelab_dev_key:engagelab_dev_secret").decode()


@dataclass
class Vendor:
    name: str
    account_id: str
    path: str  # the send path below the mount
    headers: dict[str, str]
    body: Callable[[list[str]], dict]  # destinations (digits) -> send body
    statuses: Callable[[Any], list[tuple[str, str]]]  # a receipt body -> [(digits, status word)]
    final_words: frozenset[str]  # the vendor's words for a final status in its receipts
    webhooks: bool = True  # me-sms documents no callbacks

    def send(self, client, to: list[str] | str, **headers: str):
        numbers = [to] if isinstance(to, str) else to
        return client.post(f"/{self.name}{self.path}", json=self.body(numbers), headers={**self.headers, **headers})


def _digits(value: str) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


def _cast_statuses(body: Any) -> list[tuple[str, str]]:
    return [(_digits(body.get("to", "")), body.get("status", ""))] if isinstance(body, dict) else []


def _smscpr_statuses(body: Any) -> list[tuple[str, str]]:
    return [(_digits(body.get("to", "")), body.get("status", ""))] if isinstance(body, dict) else []


def _engagelab_statuses(body: Any) -> list[tuple[str, str]]:
    rows = body.get("rows", []) if isinstance(body, dict) else []
    out = []
    for row in rows:
        status = row.get("status", {})
        word = status.get("message_status", "") if isinstance(status, dict) else status
        out.append((_digits(row.get("to", "")), str(word)))
    return out


VENDORS = {
    "cast": Vendor("cast", "cast-demo", "/api/v1/sms/send", {"X-API-Key": CAST_KEY},
                   lambda to: {"to": to[0], "message": "Your code is 123456.", "sender_id": "MYAPP"},
                   _cast_statuses, frozenset({"delivered", "undelivered", "failed", "expired", "rejected"})),
    "smscpr": Vendor("smscpr", "111111111111111111111111", "/messages/sms", {"Authorization": f"Bearer {SMSCPR_TOKEN}"},
                     lambda to: {"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
                                 "to": "+" + to[0], "body": "Your code is 123456"},
                     _smscpr_statuses, frozenset({"DELIVERED", "FAILED", "EXPIRED", "REJECTED", "UNDELIVERED"})),
    "mesms": Vendor("mesms", "mesms-demo", "/api/v2/sms/send", {"x-api-key": MESMS_KEY},
                    lambda to: {"sender": "MeSMS", "content": "Hello", "msisdns": to},
                    lambda body: [], frozenset(), webhooks=False),
    "engagelab": Vendor("engagelab", "engagelab-demo", "/v1/messages", {"Authorization": ENGAGELAB_AUTH},
                        lambda to: {"to": ["+" + n for n in to],
                                    "template": {"id": 1233, "params": {"content": "code 039487"}}},
                        _engagelab_statuses, frozenset()),
}
#: A destination each vendor accepts, and a second one ending in 7.
NUMBERS = {"cast": ("639171234568", "639171234567"), "smscpr": ("15550002222", "15550002227"),
           "mesms": ("66812345678", "66812345677"), "engagelab": ("8618701235678", "8618701235677")}


def add_fault(client, **rule) -> dict:
    resp = client.post("/_mock/faults", json=rule)
    assert resp.status_code == 201, resp.text
    return resp.json()


def fault(client, rule_id: str) -> dict:
    resp = client.get(f"/_mock/faults/{rule_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def credits(client, account_id: str) -> int:
    return client.get(f"/_mock/accounts/{account_id}").json()["credits"]


def messages(client, vendor: Vendor) -> list[dict]:
    resp = client.get("/_mock/messages", params={"account_id": vendor.account_id, "limit": 500})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def set_dlr_url(client, vendor: Vendor, url: str) -> None:
    resp = client.patch(f"/_mock/accounts/{vendor.account_id}", json={"dlr_url": url})
    assert resp.status_code == 200, resp.text


def receipts(receiver, vendor: Vendor) -> list[tuple[str, str]]:
    """(digits, status word) of every receipt the receiver got, in arrival order."""
    out = []
    for body in receiver.bodies():
        out += vendor.statuses(body)
    return out


def outbox(client, **params) -> list[dict]:
    resp = client.get("/_mock/webhooks", params={"order": "asc", "limit": 500, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
