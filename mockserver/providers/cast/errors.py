"""CastError: the one Cast error type, rendering {"success": false, "error": ..., "error_code"?: ...}.

Legacy /api paths answer without error_code; /api/v1 adds the stable code. The version is stamped on
the error by the app's handlers (from the request path), so routers just raise. ERRORS is Cast's error
catalogue by name (what Swagger shows per status; what faults look up); ERROR_MAP words generic failures.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from mockserver.core.errors import CoreError, InsufficientCredits, InvalidState, NotFound
from mockserver.providers.base import ProviderError
from mockserver.providers.http import ErrorMap, retry_after

_V1 = re.compile(r"/api/v1(/|$)")


class CastError(ProviderError):
    """http_status + error_code (v1 code, e.g. VALIDATION_ERROR); `versioned` adds the code to the body."""

    versioned: bool = False

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"success": False, "error": self.message}
        if self.versioned and self.error_code:
            out["error_code"] = self.error_code
        return out


def is_v1(request: Request) -> bool:
    return _V1.search(request.url.path) is not None


def stamp(exc: CastError, request: Request) -> CastError:
    exc.versioned = is_v1(request)
    return exc


def bad_request(message: str) -> CastError:
    return CastError(message, http_status=400, error_code="VALIDATION_ERROR")


def invalid_request(message: str = "invalid request body") -> CastError:
    return CastError(message, http_status=400, error_code="INVALID_REQUEST")


def unauthorized(message: str) -> CastError:
    return CastError(message, http_status=401, error_code="INVALID_API_KEY")


def forbidden(message: str, code: str) -> CastError:
    return CastError(message, http_status=403, error_code=code)


def not_found(message: str = "message not found") -> CastError:
    return CastError(message, http_status=404, error_code="NOT_FOUND")


def sms_service_unavailable() -> CastError:
    return CastError("SMS service is temporarily disabled", http_status=503, error_code="SERVICE_UNAVAILABLE")


def provider_error() -> CastError:
    return CastError("provider error: the upstream SMSC refused the message", http_status=502,
                     error_code="PROVIDER_ERROR")


def rate_limited(seconds: float) -> CastError:
    return CastError("rate limit exceeded", http_status=429, error_code="RATE_LIMIT_EXCEEDED",
                     headers={"Retry-After": str(retry_after(seconds))})


def _type_name(kind: str) -> str:
    for prefix, name in (("string", "a string"), ("list", "an array"), ("int", "an integer"),
                         ("bool", "a boolean"), ("dict", "an object"), ("model", "an object")):
        if kind.startswith(prefix):
            return name
    return "valid"


def from_validation(exc: RequestValidationError, request: Request) -> CastError:
    """Missing/null fields read "<field> is required"; bad JSON and wrong types are INVALID_REQUEST."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body",)]
    kind = str(first.get("type", ""))
    where = loc[0] if loc else ""
    field = ".".join(p for p in loc[1:] if not p.isdigit()) if where in ("query", "path", "header") else ".".join(
        p for p in loc if not p.isdigit())
    if kind == "json_invalid":
        return stamp(invalid_request("invalid JSON body"), request)
    if not field:
        return stamp(invalid_request(), request)
    if kind == "missing" or (first.get("input") is None and kind.endswith("_type")):
        return stamp(bad_request(f"{field} is required"), request)
    if where == "query":
        return stamp(bad_request(f"{field} must be {_type_name(kind)}"), request)
    return stamp(invalid_request(f"invalid request body: {field} must be {_type_name(kind)}"), request)


def from_core(exc: CoreError, request: Request) -> CastError:
    if isinstance(exc, InsufficientCredits):
        err = CastError(str(exc), http_status=402, error_code="INSUFFICIENT_CREDITS")
    elif isinstance(exc, NotFound):
        err = not_found(str(exc))
    elif isinstance(exc, InvalidState):
        err = bad_request(str(exc))
    else:
        err = CastError("internal server error", http_status=500, error_code="INTERNAL_ERROR")
    return stamp(err, request)


ERROR_MAP = ErrorMap(
    validation=from_validation,
    not_found=lambda r: stamp(not_found("not found"), r),
    method_not_allowed=lambda r: stamp(CastError("method not allowed", http_status=405,
                                                 error_code="METHOD_NOT_ALLOWED"), r),
    too_large=lambda r: stamp(CastError("request body too large", http_status=413,
                                        error_code="INVALID_REQUEST"), r),
    internal=lambda r: stamp(CastError("internal server error", http_status=500,
                                       error_code="INTERNAL_ERROR"), r),
    core=from_core,
    http_other=lambda status, detail, r: stamp(CastError(detail or "request failed", http_status=status,
                                                         error_code="INVALID_REQUEST"), r),
)


#: Cast's errors by name: the documented codes, worded as the sandbox answers them.
ERRORS: dict[str, CastError] = {
    "VALIDATION_ERROR": bad_request("message is required"),
    "INVALID_REQUEST": invalid_request("invalid JSON body"),
    "INVALID_API_KEY": unauthorized("invalid api key"),
    "MISSING_API_KEY": unauthorized("missing X-API-Key header"),
    "INSUFFICIENT_CREDITS": CastError("insufficient credits: need 6, have 3", http_status=402,
                                      error_code="INSUFFICIENT_CREDITS"),
    "CREDIT_LIMIT_REACHED": CastError("credit limit reached: need 2, limit 100, balance -99", http_status=402,
                                      error_code="CREDIT_LIMIT_REACHED"),
    "API_KEY_REVOKED": forbidden("api key is revoked", "API_KEY_REVOKED"),
    "API_KEY_EXPIRED": forbidden("api key has expired", "API_KEY_EXPIRED"),
    "USER_INACTIVE": forbidden("user account is inactive", "USER_INACTIVE"),
    "IP_NOT_WHITELISTED": forbidden("ip not whitelisted", "IP_NOT_WHITELISTED"),
    "SENDER_ID_NOT_ALLOWED": forbidden("sender_id 'MYAPP' is not allowed for this user", "SENDER_ID_NOT_ALLOWED"),
    "CHANNEL_NOT_ALLOWED": forbidden("sim channel not enabled for this account", "CHANNEL_NOT_ALLOWED"),
    "NOT_FOUND": not_found(),
    "METHOD_NOT_ALLOWED": CastError("method not allowed", http_status=405, error_code="METHOD_NOT_ALLOWED"),
    "PAYLOAD_TOO_LARGE": CastError("request body too large", http_status=413, error_code="INVALID_REQUEST"),
    "ALREADY_UNSUBSCRIBED": CastError("phone number is already unsubscribed from this sender ID", http_status=422,
                                      error_code="ALREADY_UNSUBSCRIBED"),
    "RATE_LIMIT_EXCEEDED": CastError("rate limit exceeded", http_status=429, error_code="RATE_LIMIT_EXCEEDED"),
    "INTERNAL_ERROR": CastError("internal server error", http_status=500, error_code="INTERNAL_ERROR"),
    "PROVIDER_ERROR": provider_error(),
    "SERVICE_UNAVAILABLE": CastError("sim service is disabled", http_status=503, error_code="SERVICE_UNAVAILABLE"),
    "SMS_SERVICE_UNAVAILABLE": sms_service_unavailable(),
}


def example_body(error: ProviderError, path: str) -> dict[str, Any]:
    """An ERRORS entry as the path would answer it (with error_code under /api/v1 only)."""
    assert isinstance(error, CastError)
    error.versioned = _V1.search(path) is not None
    return error.body()
