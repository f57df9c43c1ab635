"""Bearer-token authentication, the per-account rate limit and the JSON content-type rule.

They run in GuardedRoute before FastAPI parses the body, so the order of refusals is always
(413 from the body-limit middleware) -> 401 -> 429 -> 415 -> 400 (body) -> 403 (servicePlanId) -> 402/422.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Annotated, Callable

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from mockserver.core.models import Account, ApiKey
from mockserver.core.ratelimit import RateLimiter
from mockserver.core.store import accounts
from mockserver.providers.http import client_ip
from mockserver.providers.smscpr.errors import SmscprError, forbidden, rate_limited, unauthorized
from mockserver.providers.smscpr.plans import PLANS_KEY, PROVIDER

# DESIGNED: a token is 16-512 characters of RFC 6750's token68 alphabet.
_TOKEN_RE = re.compile(r"[A-Za-z0-9\-._~+/]{16,512}=*")

#: Registers the HTTP Bearer scheme in OpenAPI (Swagger's Authorize button); checking is ours.
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="bearerAuth",
                           description="Bearer token. Sandbox fixture token: see the API description.")


@dataclass(frozen=True)
class Caller:
    account: Account
    key: ApiKey


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


def authenticate(runtime, header: str | None, ip: str) -> Caller:
    """Resolve the token to its key and account (auto-provisioning when enabled); 401/403 otherwise."""
    token = parse_bearer(header)
    conn = runtime.db.conn()
    key = accounts.find_key(conn, PROVIDER, token)
    if key is None and runtime.settings.auto_provision:
        key = runtime.provision(PROVIDER, token, account_id=runtime.ids.hex(24), extra={PLANS_KEY: []},
                                channels=("sms",))
    if key is None:
        raise unauthorized("invalid bearer token", token_given=True)
    if key.status != "active":
        raise unauthorized(f"bearer token is {key.status}", token_given=True)
    if key.expires_at is not None and key.expires_at <= runtime.clock.now():
        raise unauthorized("bearer token has expired", token_given=True)
    account = accounts.get(conn, key.account_id)
    if account is None or not account.is_active:
        raise forbidden("account is disabled")
    allow = _loads_list(key.ip_allowlist)
    if allow and ip not in allow:
        raise forbidden(f"client IP {ip} is not on this token's allow-list")
    return Caller(account, key)


def _loads_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


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


def retry_after(limiter: RateLimiter) -> int:
    """Whole seconds until the bucket holds one token again."""
    return max(1, math.ceil(1 / limiter.rate))


class GuardedRoute(APIRoute):
    """An APIRoute that authenticates, rate-limits and checks the content type before the body is read."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            state = request.app.state
            caller = await run_in_threadpool(
                authenticate, state.runtime, request.headers.get("authorization"), client_ip(request))
            if not state.limiter.allow(caller.account.id):
                raise rate_limited(retry_after(state.limiter))
            if request.method in ("POST", "PUT", "PATCH"):
                require_json(request.headers.get("content-type"))
                require_decodable(await request.body())
            request.state.smscpr_caller = caller
            return await handler(request)

        return guarded


def current_caller(request: Request) -> Caller:
    return request.state.smscpr_caller


CallerDep = Annotated[Caller, Depends(current_caller)]
