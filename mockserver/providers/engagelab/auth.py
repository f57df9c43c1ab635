"""HTTP Basic base64(dev_key:dev_secret): who is calling, and may this key call this API.

Failures carry the send API's numbering (2001 bad credentials, 2002 disabled/expired, 2004 no permission);
each route family renders them in its own envelope. Scopes are designed: "messages", "template-configs",
"sign-configs" (or "*").
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from dataclasses import dataclass

from fastapi import Request
from fastapi.security import HTTPBasic

from mockserver.core.models import Account, ApiKey
from mockserver.core.store import accounts
from mockserver.providers.engagelab import provisioning

PROVIDER = "engagelab"
# Auto-provision accepts only plausible credentials, so typos of a real key are not silently adopted.
_KEY_RE = re.compile(r"[A-Za-z0-9_\-]{4,64}")
_SECRET_RE = re.compile(r"[\x21-\x7e]{4,128}")


class AuthFailure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Caller:
    key: ApiKey
    account: Account


class BasicScheme(HTTPBasic):
    """Declares HTTP Basic for Swagger's Authorize button; the header itself is parsed by `authenticate`."""

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        return request.headers.get("Authorization")


basic_scheme = BasicScheme(auto_error=False, description="base64(dev_key:dev_secret)")


def parse_header(header: str | None) -> tuple[str, str]:
    if not header:
        raise AuthFailure(2001, "Authentication failed, missing Authorization header")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise AuthFailure(2001, "Authentication failed, Authorization must be Basic base64(dev_key:dev_secret)")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthFailure(2001, "Authentication failed, Authorization is not valid base64") from None
    key, sep, secret = decoded.partition(":")
    if not sep or not key:
        raise AuthFailure(2001, "Authentication failed, expected base64(dev_key:dev_secret)")
    return key, secret


def _known_or_provisioned(runtime, key: str, secret: str) -> ApiKey:
    found = accounts.find_key(runtime.db.conn(), PROVIDER, key)
    if found is not None:
        return found
    if runtime.settings.auto_provision and _KEY_RE.fullmatch(key) and _SECRET_RE.fullmatch(secret):
        api_key = runtime.provision(PROVIDER, key, secret=secret)
        provisioning.seed_catalog(runtime, api_key.account_id)
        return api_key
    raise AuthFailure(2001, "Authentication failed, incorrect token provided")


def authenticate(runtime, header: str | None, scope: str) -> Caller:
    """The calling key and account, or AuthFailure with the vendor code."""
    key, secret = parse_header(header)
    api_key = _known_or_provisioned(runtime, key, secret)
    if not hmac.compare_digest((api_key.secret or "").encode(), secret.encode()):
        raise AuthFailure(2001, "Authentication failed, incorrect token provided")
    account = accounts.get(runtime.db.conn(), api_key.account_id)
    if api_key.status != "active" or account is None or not account.is_active:
        raise AuthFailure(2002, "Authentication failed, token disabled")
    if api_key.expires_at is not None and api_key.expires_at <= runtime.clock.now():
        raise AuthFailure(2002, "Authentication failed, token expired")
    scopes = json.loads(api_key.scopes or "[]")
    if "*" not in scopes and scope not in scopes:
        raise AuthFailure(2004, f"No permission to call this API (key lacks scope {scope!r})")
    return Caller(api_key, account)
