"""X-API-Key authentication, the per-IP rate limit, IP allow-lists and channel checks.

CastRoute runs the gate (rate limit, then key) before FastAPI reads the body, so a request without a
key gets 401 even when its JSON is malformed, as Cast's middleware answers.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Callable

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader

from mockserver.core.models import Account, ApiKey
from mockserver.core.store import accounts
from mockserver.providers.cast import errors
from mockserver.providers.cast.context import PROVIDER_NAME, CastContext
from mockserver.providers.http import client_ip

KEY_RE = re.compile(r"cast_(test_)?[0-9a-fA-F]{64}")
SANDBOX_PREFIX = "cast_test_"

api_key_header = APIKeyHeader(
    name="X-API-Key", scheme_name="APIKey", auto_error=False,
    description="Your Cast API key: `cast_` + 64 hex characters (sandbox keys: `cast_test_` + 64 hex).",
)


@dataclass
class Caller:
    key: ApiKey
    account: Account
    sandbox: bool

    @property
    def auto_provisioned(self) -> bool:
        return bool(json.loads(self.account.extra or "{}").get("auto_provisioned"))

    def channels(self) -> list[str]:
        return list(json.loads(self.account.allowed_channels or "[]"))


def _ip_allowed(ip: str, allowlist: list[str]) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowlist:
        try:
            if addr in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _lookup(ctx: CastContext, key: str) -> ApiKey | None:
    rt = ctx.runtime
    found = accounts.find_key(rt.db.conn(), PROVIDER_NAME, key)
    if found is None and rt.settings.auto_provision:
        found = rt.provision(PROVIDER_NAME, key, extra={"auto_provisioned": True})
    return found


def authenticate(ctx: CastContext, key: str | None, ip: str) -> Caller:
    """The documented checks, in Cast's order; raises CastError."""
    if not key:
        raise errors.unauthorized("missing X-API-Key header")
    found = _lookup(ctx, key) if KEY_RE.fullmatch(key) else None
    if found is None:
        raise errors.unauthorized("invalid api key")
    account = accounts.get(ctx.runtime.db.conn(), found.account_id)
    if account is None:
        raise errors.unauthorized("invalid api key")
    if found.status != "active":
        raise errors.forbidden("api key is revoked", "API_KEY_REVOKED")
    if found.expires_at is not None and found.expires_at <= ctx.runtime.clock.now():
        raise errors.forbidden("api key has expired", "API_KEY_EXPIRED")
    if not account.is_active:
        raise errors.forbidden("user account is inactive", "USER_INACTIVE")
    allowlist = json.loads(found.ip_allowlist or "[]")
    if allowlist and not _ip_allowed(ip, allowlist):
        raise errors.forbidden("ip not whitelisted", "IP_NOT_WHITELISTED")
    return Caller(found, account, sandbox=bool(found.sandbox) or key.startswith(SANDBOX_PREFIX))



def _gate(request: Request) -> None:
    ctx: CastContext = request.app.state.cast
    ip = client_ip(request)
    if not ctx.ip_limiter.allow(ip):
        raise errors.rate_limited(ctx.settings.retry_after)
    request.state.caller = authenticate(ctx, request.headers.get("x-api-key"), ip)


class CastRoute(APIRoute):
    """An APIRoute that rate-limits and authenticates before the body is parsed."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Any:
            await run_in_threadpool(_gate, request)
            return await original(request)

        return handler


def current_caller(request: Request, _key: str | None = Security(api_key_header)) -> Caller:
    """The authenticated caller (the Security parameter puts the Authorize button in Swagger)."""
    return request.state.caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def require_channel(caller: Caller, channel: str) -> None:
    if channel not in caller.channels():
        raise errors.forbidden(f"{channel} channel not enabled for this account", "CHANNEL_NOT_ALLOWED")


def limit_account_sends(ctx: CastContext, caller: Caller) -> None:
    """Cast's per-account send rate (10 requests/s by default)."""
    if not ctx.account_limiter.allow(caller.account.id):
        raise errors.rate_limited(ctx.settings.retry_after)
