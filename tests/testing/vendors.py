"""Send one SMS the way each vendor's client does, with the credentials POST /_mock/accounts returned: one
`send()` so the kit's tests can drive any provider as a user's code would (the vendors: tests/vendors.py)."""

from __future__ import annotations

import httpx

from tests.vendors import VENDORS


def send(base_url: str, provider: str, credentials: dict, text: str, to: str | None = None) -> httpx.Response:
    """Submit one SMS through `provider`'s own API; `to` defaults to the vendor record's number."""
    with httpx.Client(base_url=base_url) as http:
        return VENDORS[provider].send(http, to, text, credentials)
