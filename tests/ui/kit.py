"""Sends through each provider's own API (as a client application would), for the inbox tests."""

from __future__ import annotations

import httpx

CAST_KEY = "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"
SMSCPR_TOKEN = "smscpr_sandbox_token_111111111111111111111111"
MESMS_KEY = "mesms_demo_key_0123456789abcdef"


def send_cast(c: httpx.Client, to: str = "09171234567", text: str = "Your verification code is 123456.") -> dict:
    resp = c.post("/cast/api/sms/send", headers={"X-API-Key": CAST_KEY},
                  json={"to": to, "message": text, "sender_id": "MYAPP"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def send_smscpr(c: httpx.Client, to: str = "+15550002222", text: str = "Your verification code is 654321",
                callback: str | None = None) -> dict:
    body = {"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111", "to": to,
            "body": text}
    if callback:
        body["callbackUrl"] = callback
    resp = c.post("/smscpr/messages/sms", headers={"Authorization": f"Bearer {SMSCPR_TOKEN}"}, json=body)
    assert resp.status_code in (200, 201, 202), resp.text
    return resp.json()


def send_mesms(c: httpx.Client, numbers: list[str] | None = None, text: str = "สวัสดีครับ") -> dict:
    resp = c.post("/mesms/api/v2/sms/send", headers={"x-api-key": MESMS_KEY},
                  json={"sender": "MeSMS", "content": text, "msisdns": numbers or ["0812345678", "66898765432"]})
    assert resp.status_code in (200, 201, 202), resp.text
    return resp.json()


def send_engagelab(c: httpx.Client, to: str = "923700056581") -> dict:
    resp = c.post("/engagelab/v1/messages", auth=("engagelab_dev_key", "engagelab_dev_secret"),
                  json={"to": [to], "template": {"id": 1233, "params": {"content": "Verification code: 039487."}}})
    assert resp.status_code in (200, 201, 202), resp.text
    return resp.json()
