"""SmscprError, the one error type of this provider, and the ErrorMap that routes every generic failure
through it. DESIGNED envelope (vendor-contracts §1.4): {"errorCode", "errorMessage", "details"}.

Codes (HTTP status -> errorCode): 400 INVALID_JSON | INVALID_PARAMETER, 401 UNAUTHORIZED,
402 INSUFFICIENT_CREDITS, 403 FORBIDDEN, 404 NOT_FOUND, 405 METHOD_NOT_ALLOWED, 413 PAYLOAD_TOO_LARGE,
415 UNSUPPORTED_MEDIA_TYPE, 422 MESSAGE_TOO_LONG, 429 TOO_MANY_REQUESTS, 500 INTERNAL_ERROR.
ERRORS is that catalogue by name (Swagger's examples, the faults' look-up); ERROR_MAP words generic failures.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.routing import Match

from mockserver.core.errors import CoreError, InsufficientCredits, NotFound
from mockserver.providers.base import ProviderError
from mockserver.providers.context import context_of
from mockserver.providers.http import ErrorMap, retry_after

# pydantic error types worded for API users; custom validators bring their own message.
_FRIENDLY = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "extra_forbidden": "is not a known field",
}


class SmscprError(ProviderError):
    """Renders {"errorCode", "errorMessage", "details": [{"field", "message"}]}."""

    error_code = "BAD_REQUEST"

    def __init__(self, http_status: int, error_code: str, message: str, *,
                 details: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, http_status=http_status, error_code=error_code, headers=headers)
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {"errorCode": self.error_code, "errorMessage": self.message, "details": self.details}


def invalid(field: str, message: str, *, status: int = 400, code: str = "INVALID_PARAMETER") -> SmscprError:
    """A field-level error: the message names the field and details carries it."""
    return SmscprError(status, code, f"{field}: {message}", details=[{"field": field, "message": message}])


def unauthorized(message: str, *, token_given: bool) -> SmscprError:
    # RFC 6750: a challenge on every 401; error="invalid_token" only when a token was presented.
    challenge = 'Bearer realm="smscpr"' + (', error="invalid_token"' if token_given else "")
    return SmscprError(401, "UNAUTHORIZED", message, headers={"WWW-Authenticate": challenge})


def forbidden(message: str) -> SmscprError:
    return SmscprError(403, "FORBIDDEN", message)


def not_found(message: str = "resource not found") -> SmscprError:
    return SmscprError(404, "NOT_FOUND", message)


def rate_limited(seconds: float) -> SmscprError:
    wait = retry_after(seconds)
    return SmscprError(429, "TOO_MANY_REQUESTS", f"rate limit exceeded; retry after {wait} s",
                       headers={"Retry-After": str(wait)})


def _validation(exc: RequestValidationError, request: Request) -> SmscprError:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return SmscprError(400, "INVALID_JSON", "request body is not valid JSON")
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):  # where, not which field ("body" is one too)
            loc = loc[1:]
        if not loc:  # the body itself: a list, a string, nothing at all
            return SmscprError(400, "INVALID_JSON", "request body must be a JSON object")
        message = _FRIENDLY.get(str(err.get("type")), str(err.get("msg", "is invalid")))
        details.append({"field": ".".join(loc), "message": message})
    first = details[0] if details else {"field": "request", "message": "is invalid"}
    return SmscprError(400, "INVALID_PARAMETER", f"{first['field']}: {first['message']}", details=details)


def _vendor_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """The vendor's operations only (the docs pages' methods are no answer about a vendor path). Newer FastAPI
    keeps an included router whole (`original_router`); SMSCPR's routers carry no prefix, so its routes match
    the request as they are."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _vendor_routes(nested.routes)


def _allowed_methods(request: Request) -> str:
    methods: set[str] = set()
    for route in _vendor_routes(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match == Match.PARTIAL and getattr(route, "methods", None):
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


def _method_not_allowed(request: Request) -> SmscprError:
    allow = _allowed_methods(request)
    return SmscprError(405, "METHOD_NOT_ALLOWED", f"method {request.method} is not allowed on this path",
                       headers={"Allow": allow} if allow else None)


def _core(exc: CoreError, request: Request) -> SmscprError:
    if isinstance(exc, InsufficientCredits):
        status = context_of(request).settings.insufficient_credits_status
        return SmscprError(status, "INSUFFICIENT_CREDITS",
                           f"insufficient credits: need {exc.need}, have {exc.have}")
    if isinstance(exc, NotFound):
        return not_found(str(exc))
    return SmscprError(400, "BAD_REQUEST", str(exc))


ERROR_MAP = ErrorMap(
    validation=_validation,
    not_found=lambda request: not_found(f"no such path: {request.url.path}"),
    method_not_allowed=_method_not_allowed,
    too_large=lambda request: SmscprError(413, "PAYLOAD_TOO_LARGE", "request body is too large"),
    internal=lambda request: SmscprError(500, "INTERNAL_ERROR", "internal error; the request was not processed"),
    core=_core,
)


#: SMSCPR's errors by name (DESIGNED catalogue), worded as the sandbox answers them.
ERRORS: dict[str, SmscprError] = {
    "INVALID_JSON": SmscprError(400, "INVALID_JSON", "request body is not valid JSON"),
    "INVALID_PARAMETER": invalid("to", "must be an E.164 number such as +15550002222"),
    "UNAUTHORIZED": unauthorized("invalid bearer token", token_given=True),
    "MISSING_TOKEN": unauthorized("missing Authorization header; send Authorization: Bearer <token>",
                                  token_given=False),
    "INSUFFICIENT_CREDITS": SmscprError(402, "INSUFFICIENT_CREDITS", "insufficient credits: need 2, have 1"),
    "FORBIDDEN": forbidden("servicePlanId 222222222222222222222223 is not a service plan of this token's account"),
    "NOT_FOUND": not_found("message 0192a3b4-0000-7000-8000-000000000000 not found"),
    "METHOD_NOT_ALLOWED": SmscprError(405, "METHOD_NOT_ALLOWED", "method PUT is not allowed on this path"),
    "PAYLOAD_TOO_LARGE": SmscprError(413, "PAYLOAD_TOO_LARGE", "request body is too large"),
    "UNSUPPORTED_MEDIA_TYPE": SmscprError(415, "UNSUPPORTED_MEDIA_TYPE",
                                          "Content-Type must be application/json (got text/plain)"),
    "MESSAGE_TOO_LONG": invalid("body", "needs 11 SMS parts; at most 10 are allowed", status=422,
                                code="MESSAGE_TOO_LONG"),
    "TOO_MANY_REQUESTS": rate_limited(1),
    "INTERNAL_ERROR": SmscprError(500, "INTERNAL_ERROR", "internal error; the request was not processed"),
}
