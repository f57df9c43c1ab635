"""x-api-key authentication, scopes (send needs `sms:send` or `*`), rate limiting and auto-provision.

Wrong or missing key -> 401; a key without the send scope -> 403; too many requests -> 429.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from mockserver.core.models import ApiKey, Sender
from mockserver.core.store import catalog
from mockserver.providers import fast_path
from mockserver.providers.auth import Caller, KeyState, auth_first_route, caller_of, check_key, find_or_provision_async
from mockserver.providers.context import ProviderContext, context_of, provide_context
from mockserver.providers.http import refill_seconds, retry_after
from mockserver.providers.mesms import NAME
from mockserver.providers.mesms.errors import MesmsError
from mockserver.providers.mesms.settings import MesmsSettings

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

SEND_SCOPES = frozenset({"sms:send", "*"})
DEFAULT_SENDER = "MeSMS"

api_key_header = APIKeyHeader(name="x-api-key", auto_error=False,
                              description="API key from Settings → API Keys (fixture: see the docs page).")

#: me-sms's context (built once by Provider.context): the runtime, MesmsSettings and the per-key "key"
#: rate limiter app.py adds.
Context = ProviderContext[MesmsSettings]
ContextDep = Annotated[Context, Depends(provide_context)]

_REFUSALS = {KeyState.EXPIRED: "API key has expired", KeyState.INACTIVE: "Account is disabled",
             KeyState.UNKNOWN: "Invalid API key"}


def unauthorized(message: str) -> MesmsError:
    return MesmsError(message, http_status=401, error_code="UNAUTHORIZED")


def provision(runtime: Runtime, key: str) -> ApiKey:
    """Auto-provision: a funded account for an unknown well-formed key, with the default sender approved."""
    made = runtime.provision(NAME, key, extra={"auto_provisioned": True})
    with runtime.db.write() as conn:
        ensure_sender(conn, made.account_id, DEFAULT_SENDER, runtime.clock.now())
    return made


def ensure_sender(conn, account_id: str, name: str, now: float) -> Sender:
    found = catalog.sender_by_name(conn, account_id, name)
    if found is not None:
        return found
    count = len(catalog.senders_of(conn, account_id))
    return catalog.add_sender(conn, Sender(public_id=str(count + 1), provider=NAME, account_id=account_id, name=name,
                                           status="approved", extra='{"type": "own"}', created_at=now, updated_at=now))


async def _gate(request: Request) -> None:
    """Key, then rate limit, before the route runs (routes read their bodies themselves). The lookup
    reads on the event loop; only an auto-provision goes to a worker thread."""
    ctx: Context = context_of(request)
    runtime, cfg = ctx.runtime, ctx.settings
    raw = request.headers.get("x-api-key")
    if not raw:
        raise unauthorized("Missing API key: send it in the x-api-key header")
    pattern_ok = re.fullmatch(cfg.key_pattern, raw) is not None
    key = await find_or_provision_async(runtime, NAME, raw, (lambda: provision(runtime, raw)) if pattern_ok else None)
    lookup = check_key(runtime, key)
    if lookup.state is KeyState.REVOKED:
        raise unauthorized(f"API key is {lookup.key.status}")
    if lookup.state is not KeyState.OK:
        raise unauthorized(_REFUSALS[lookup.state])
    limiter = ctx.limiters["key"]
    if not limiter.allow(raw):
        raise MesmsError("Rate limit exceeded", http_status=429, error_code="RATE_LIMITED",
                         headers={"Retry-After": str(retry_after(refill_seconds(limiter)))})
    request.state.caller = lookup.caller()


#: Every me-sms route authenticates (and rate-limits) first.
MesmsRoute = auth_first_route(_gate)


@fast_path.plain_dependency(caller_of)
async def authenticate(request: Request, raw: Annotated[str | None, Security(api_key_header)] = None) -> Caller:
    """The caller the gate authenticated (the Security parameter puts the Authorize button in Swagger).
    Async, as every dependency doing no I/O: a plain def costs a worker-thread hop per request."""
    return request.state.caller


@fast_path.plain_dependency(lambda request: require_send_scope(caller_of(request)))
async def require_send(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
    return require_send_scope(caller)


def require_send_scope(caller: Caller) -> Caller:
    check_send_scope(caller)
    return caller


def check_send_scope(caller: Caller) -> None:
    if not SEND_SCOPES.intersection(caller.scopes):
        raise MesmsError("API key scope insufficient: sms:send or * is required", http_status=403,
                         error_code="FORBIDDEN")


CallerDep = Annotated[Caller, Depends(authenticate)]
SendScopeCallerDep = Annotated[Caller, Depends(require_send)]
