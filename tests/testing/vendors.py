"""What each vendor's client sends (as the seeds document it), with the credentials POST /_mock/accounts
returned: one `send()` so the kit's tests can drive any provider the way a user's code would."""

from __future__ import annotations

import httpx

#: A number each vendor accepts in its documented format, and the msisdn the sandbox then stores.
NUMBERS = {"cast": ("09171234567", "639171234567"), "smscpr": ("+15550002222", "+15550002222"),
           "mesms": ("0812345678", "66812345678"), "engagelab": ("923700056581", "923700056581")}


def send(base_url: str, provider: str, credentials: dict, text: str, to: str | None = None) -> httpx.Response:
    """Submit one SMS through `provider`'s own API; `to` defaults to NUMBERS[provider][0]."""
    to = to or NUMBERS[provider][0]
    url = f"{base_url}/{provider}"
    if provider == "cast":
        return httpx.post(f"{url}/api/sms/send", headers={"X-API-Key": credentials["api_key"]},
                          json={"to": to, "message": text, "sender_id": "CAST"})
    if provider == "smscpr":
        return httpx.post(f"{url}/messages/sms", headers={"Authorization": credentials["authorization"]},
                          json={"servicePlanId": credentials["servicePlanId"], "channel": "SMS",
                                "from": "+15550001111", "to": to, "body": text})
    if provider == "mesms":
        return httpx.post(f"{url}/api/v2/sms/send", headers={"x-api-key": credentials["api_key"]},
                          json={"sender": credentials["sender"], "content": text, "msisdns": [to]})
    if provider == "engagelab":
        return httpx.post(f"{url}/v1/messages", auth=(credentials["dev_key"], credentials["dev_secret"]),
                          json={"to": [to], "template": {"id": 1233, "params": {"content": text}}})
    raise ValueError(provider)
