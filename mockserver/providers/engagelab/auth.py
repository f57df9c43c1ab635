"""HTTP Basic base64(dev_key:dev_secret): who is calling, and may this key call this API.

Failures carry the send API's numbering (2001 bad credentials, 2002 disabled/expired, 2004 no permission);
each route family renders them in its own envelope, through its own route class here (EngageLab<Family>Route).
Scopes are designed: "messages", "template-configs", "sign-configs" (or "*").
"""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING, Annotated, Callable

from fastapi import Depends, Request, Security
from fastapi.security import HTTPBasic

from mockserver.core.models import ApiKey
from mockserver.providers.auth import Caller, KeyState, auth_first_route, check_key, find_or_provision, same_secret
from mockserver.providers.context import ProviderContext, context_of, provide_context
from mockserver.providers.engagelab import NAME, provisioning
from mockserver.providers.engagelab.errors import SEND_HTTP_STATUS, ConfigError, send_error
from mockserver.providers.engagelab.settings import EngageLabSettings

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

# Auto-provision accepts only plausible credentials, so typos of a real key are not silently adopted.
_KEY_RE = re.compile(r"[A-Za-z0-9_\-]{4,64}")
_SECRET_RE = re.compile(r"[\x21-\x7e]{4,128}")


class AuthFailure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
    except ValueError:  # binascii.Error, UnicodeDecodeError, or non-ASCII header text (that was a 500)
        raise AuthFailure(2001, "Authentication failed, Authorization is not valid base64") from None
    key, sep, secret = decoded.partition(":")
    if not sep or not key:
        raise AuthFailure(2001, "Authentication failed, expected base64(dev_key:dev_secret)")
    return key, secret


def _known_or_provisioned(runtime: Runtime, key: str, secret: str) -> ApiKey:
    def provision() -> ApiKey:
        api_key = runtime.provision(NAME, key, secret=secret)
        provisioning.seed_catalog(runtime, api_key.account_id)
        return api_key

    plausible = _KEY_RE.fullmatch(key) and _SECRET_RE.fullmatch(secret)
    found = find_or_provision(runtime, NAME, key, provision if plausible else None)
    if found is None:
        raise AuthFailure(2001, "Authentication failed, incorrect token provided")
    return found


_DISABLED = {KeyState.REVOKED: "Authentication failed, token disabled",
             KeyState.INACTIVE: "Authentication failed, token disabled",
             KeyState.UNKNOWN: "Authentication failed, token disabled",
             KeyState.EXPIRED: "Authentication failed, token expired"}


def authenticate(runtime: Runtime, header: str | None, scope: str) -> Caller:
    """The calling key and account, or AuthFailure with the vendor code."""
    key, secret = parse_header(header)
    api_key = _known_or_provisioned(runtime, key, secret)
    if not same_secret(api_key.secret, secret):
        raise AuthFailure(2001, "Authentication failed, incorrect token provided")
    lookup = check_key(runtime, api_key)
    if lookup.state is not KeyState.OK:
        raise AuthFailure(2002, _DISABLED[lookup.state])
    scopes = json.loads(api_key.scopes or "[]")
    if "*" not in scopes and scope not in scopes:
        raise AuthFailure(2004, f"No permission to call this API (key lacks scope {scope!r})")
    return lookup.caller()


#: EngageLab's context (built once by Provider.context): the runtime and EngageLabSettings; no limiter.
Context = ProviderContext[EngageLabSettings]
ContextDep = Annotated[Context, Depends(provide_context)]
AuthHeader = Annotated[str | None, Security(basic_scheme)]


def _gate(scope: str, refuse: Callable[[Request, AuthFailure], Exception]) -> Callable[[Request], None]:
    def gate(request: Request) -> None:
        try:
            request.state.caller = authenticate(context_of(request).runtime, request.headers.get("authorization"),
                                                scope)
        except AuthFailure as exc:
            raise refuse(request, exc) from None
    return gate


def _config_refusal(request: Request, exc: AuthFailure) -> Exception:
    return ConfigError(exc.message, code=exc.code, http_status=SEND_HTTP_STATUS[exc.code])


#: Route classes that authenticate before the body is read, one per route family (each needs its own scope
#: and refuses in its own envelope): EngageLab<Family>Route.
EngageLabSendRoute = auth_first_route(_gate("messages", lambda request, exc: send_error(request, exc.code, exc.message)))
EngageLabTemplateRoute = auth_first_route(_gate("template-configs", _config_refusal))
EngageLabSignRoute = auth_first_route(_gate("sign-configs", _config_refusal))


def current_caller(request: Request, _header: AuthHeader) -> Caller:
    """The caller the route class authenticated (the Security parameter puts Authorize in Swagger)."""
    return request.state.caller


CallerDep = Annotated[Caller, Depends(current_caller)]
