"""Sends through each provider's own API (as a client application would), for the inbox tests."""

from __future__ import annotations

import httpx

from tests.vendors import VENDORS

CAST, SMSCPR, MESMS, ENGAGELAB = (VENDORS[n] for n in ("cast", "smscpr", "mesms", "engagelab"))
CAST_KEY, MESMS_KEY = CAST.credentials["api_key"], MESMS.credentials["api_key"]  # the fixture keys pages show


def send_cast(c: httpx.Client, to: str = "09171234567", text: str = "Your verification code is 123456.") -> dict:
    resp = c.post("/cast/api/sms/send", headers=CAST.headers,
                  json={"to": to, "message": text, "sender_id": "MYAPP"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def send_smscpr(c: httpx.Client, to: str = "+15550002222", text: str = "Your verification code is 654321",
                callback: str | None = None) -> dict:
    body = {"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111", "to": to,
            "body": text}
    if callback:
        body["callbackUrl"] = callback
    resp = c.post("/smscpr/messages/sms", headers=SMSCPR.headers, json=body)
    assert resp.status_code in (200, 201, 202), resp.text
    return resp.json()


def send_mesms(c: httpx.Client, numbers: list[str] | None = None, text: str = "สวัสดีครับ") -> dict:
    resp = c.post("/mesms/api/v2/sms/send", headers=MESMS.headers,
                  json={"sender": "MeSMS", "content": text, "msisdns": numbers or ["0812345678", "66898765432"]})
    assert resp.status_code in (200, 201, 202), resp.text
    return resp.json()


def send_engagelab(c: httpx.Client, to: str = "923700056581") -> dict:
    resp = c.post("/engagelab/v1/messages", headers=ENGAGELAB.headers,
                  json={"to": [to], "template": {"id": 1233, "params": {"content": "Verification code: 039487."}}})
    assert resp.status_code in (200, 201, 202), resp.text
    return resp.json()
