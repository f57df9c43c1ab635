"""Bearer-token authentication, the per-account rate limit and the JSON content-type rule.

They run in SmscprRoute before FastAPI parses the body, so the order of refusals is always
(413 from the body-limit middleware) -> 401 -> 429 -> 415 -> 400 (body) -> 403 (servicePlanId) -> 402/422.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from mockserver.providers import fast_path
from mockserver.providers.auth import Caller, KeyState, auth_first_route, caller_of, check_key, find_or_provision_async
from mockserver.providers.context import ProviderContext, context_of, provide_context
from mockserver.providers.http import client_ip, refill_seconds
from mockserver.providers.smscpr import NAME
from mockserver.providers.smscpr.errors import SmscprError, forbidden, rate_limited, unauthorized
from mockserver.providers.smscpr.service_plans import PLANS_KEY
from mockserver.providers.smscpr.settings import SmscprSettings

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

# DESIGNED: a token is 16-512 characters of RFC 6750's token68 alphabet.
_TOKEN_RE = re.compile(r"[A-Za-z0-9\-._~+/]{16,512}=*")

#: Registers the HTTP Bearer scheme in OpenAPI (Swagger's Authorize button); checking is ours.
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="bearerAuth",
                           description="Bearer token. Sandbox fixture token: see the API description.")
# Only there for Swagger's Authorize button (auto_error=False: it never refuses; the gate does).
fast_path.plain_dependency(lambda request: None)(bearer_scheme)


def parse_bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or 401."""
    if not header or not header.strip():
        raise unauthorized("missing Authorization header; send Authorization: Bearer <token>", token_given=False)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("malformed Authorization header; expected Bearer <token>", token_given=False)
    if not _TOKEN_RE.fullmatch(token):
        raise unauthorized("malformed bearer token", token_given=True)
    return token


async def authenticate(runtime: Runtime, header: str | None, ip: str) -> Caller:
    """Resolve the token to its key and account (auto-provisioning when enabled); 401/403 otherwise. The
    lookup runs on the event loop (cheaper than a thread hop); only an auto-provision goes to a thread."""
    token = parse_bearer(header)
    key = await find_or_provision_async(runtime, NAME, token, lambda: runtime.provision(
        NAME, token, account_id=runtime.ids.hex(24), extra={PLANS_KEY: []}, channels=("sms",)))
    lookup = check_key(runtime, key, ip)
    if lookup.state is KeyState.UNKNOWN:
        raise unauthorized("invalid bearer token", token_given=True)
    if lookup.state is KeyState.REVOKED:
        raise unauthorized(f"bearer token is {lookup.key.status}", token_given=True)
    if lookup.state is KeyState.EXPIRED:
        raise unauthorized("bearer token has expired", token_given=True)
    if lookup.state is KeyState.INACTIVE:
        raise forbidden("account is disabled")
    if lookup.state is KeyState.IP_DENIED:
        raise forbidden(f"client IP {ip} is not on this token's allow-list")
    return lookup.caller()


def require_json(content_type: str | None) -> None:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        shown = media or "none"
        raise SmscprError(415, "UNSUPPORTED_MEDIA_TYPE",
                          f"Content-Type must be application/json (got {shown})")


def require_decodable(raw: bytes) -> None:
    """FastAPI turns a JSON syntax error into a 400 but lets a body that is not text crash (500)."""
    if not raw:
        return
    try:
        json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        raise SmscprError(400, "INVALID_JSON", "request body is not valid JSON") from None


#: SMSCPR's context (built once by Provider.context): the runtime, SmscprSettings and the per-account
#: "account" rate limiter app.py adds.
Context = ProviderContext[SmscprSettings]
ContextDep = Annotated[Context, Depends(provide_context)]


async def _gate(request: Request) -> None:
    ctx: Context = context_of(request)
    caller = await authenticate(ctx.runtime, request.headers.get("authorization"), client_ip(request))
    limiter = ctx.limiters["account"]
    if not limiter.allow(caller.account.id):
        raise rate_limited(refill_seconds(limiter))
    if request.method in ("POST", "PUT", "PATCH"):
        require_json(request.headers.get("content-type"))
        require_decodable(await request.body())
    request.state.caller = caller


#: Authenticates, rate-limits and checks the content type before the body is parsed.
SmscprRoute = auth_first_route(_gate)


@fast_path.plain_dependency(caller_of)
async def current_caller(request: Request) -> Caller:
    """The caller the gate authenticated. Async: a plain def cost a worker-thread hop per request."""
    return request.state.caller


CallerDep = Annotated[Caller, Depends(current_caller)]
