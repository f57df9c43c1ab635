"""X-API-Key authentication, the per-IP rate limit, IP allow-lists and channel checks.

CastRoute runs the gate (rate limit, then key) before FastAPI reads the body, so a request without a
key gets 401 even when its JSON is malformed, as Cast's middleware answers.
"""

from __future__ import annotations

import re
from typing import Annotated, Callable

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from mockserver.core.models import ApiKey
from mockserver.providers import fast_path
from mockserver.providers.auth import Caller, KeyState, auth_first_route, caller_of, check_key, find_or_provision_async
from mockserver.providers.cast import NAME, errors
from mockserver.providers.cast.settings import CastSettings
from mockserver.providers.context import ProviderContext, context_of, provide_context
from mockserver.providers.http import client_ip

#: Cast's context (built once by Provider.context): the runtime, CastSettings, and the "ip" and "account"
#: rate limiters app.py adds.
Context = ProviderContext[CastSettings]
ContextDep = Annotated[Context, Depends(provide_context)]

KEY_RE = re.compile(r"cast_(test_)?[0-9a-fA-F]{64}")
SANDBOX_PREFIX = "cast_test_"

api_key_header = APIKeyHeader(
    name="X-API-Key", scheme_name="APIKey", auto_error=False,
    description="Your Cast API key: `cast_` + 64 hex characters (sandbox keys: `cast_test_` + 64 hex).",
)


def _provision(ctx: Context, key: str) -> Callable[[], ApiKey]:
    rt = ctx.runtime
    return lambda: rt.provision(NAME, key, extra={"auto_provisioned": True})


_REFUSALS = {
    KeyState.REVOKED: ("api key is revoked", "API_KEY_REVOKED"),
    KeyState.EXPIRED: ("api key has expired", "API_KEY_EXPIRED"),
    KeyState.INACTIVE: ("user account is inactive", "USER_INACTIVE"),
    KeyState.IP_DENIED: ("ip not whitelisted", "IP_NOT_WHITELISTED"),
}


async def authenticate(ctx: Context, key: str | None, ip: str) -> Caller:
    """The documented checks, in Cast's order; raises CastError. The reads run on the event loop."""
    if not key:
        raise errors.unauthorized("missing X-API-Key header")
    found = await find_or_provision_async(ctx.runtime, NAME, key, _provision(ctx, key)) if KEY_RE.fullmatch(key) \
        else None
    lookup = check_key(ctx.runtime, found, ip)
    if lookup.state is KeyState.UNKNOWN:
        raise errors.unauthorized("invalid api key")
    if lookup.state is not KeyState.OK:
        raise errors.forbidden(*_REFUSALS[lookup.state])
    return lookup.caller(sandbox=bool(lookup.key.sandbox) or key.startswith(SANDBOX_PREFIX))


async def _gate(request: Request) -> None:
    ctx: Context = context_of(request)
    ip = client_ip(request)
    if not ctx.limiters["ip"].allow(ip):
        raise errors.rate_limited(ctx.settings.retry_after)
    request.state.caller = await authenticate(ctx, request.headers.get("x-api-key"), ip)


#: Rate limit, then key, before the body is parsed (Cast's middleware order).
CastRoute = auth_first_route(_gate)


@fast_path.plain_dependency(caller_of)
async def current_caller(request: Request, _key: str | None = Security(api_key_header)) -> Caller:
    """The authenticated caller (the Security parameter puts the Authorize button in Swagger). Async, as
    every dependency that does no I/O: a plain def would cost a worker-thread hop per request."""
    return request.state.caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def require_channel(caller: Caller, channel: str) -> None:
    if channel not in caller.channels:
        raise errors.forbidden(f"{channel} channel not enabled for this account", "CHANNEL_NOT_ALLOWED")


def limit_account_sends(ctx: Context, caller: Caller) -> None:
    """Cast's per-account send rate (10 requests/s by default)."""
    if not ctx.limiters["account"].allow(caller.account.id):
        raise errors.rate_limited(ctx.settings.retry_after)
