"""The me-sms error envelope {"error": "<human>", "code": "<MACHINE_CODE>"}, ERRORS (the catalogue of
me-sms errors by name) and ERROR_MAP: how every generic failure (validation, bad JSON, 404, 405, 413,
core errors, crashes) is worded in it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from mockserver.core.errors import CoreError, InsufficientCredits, InvalidState, NotFound
from mockserver.providers.base import ProviderError
from mockserver.providers.http import ErrorMap, validation_field


class MesmsError(ProviderError):
    """One me-sms error; `code` is always present here (the vendor sends it on some endpoints only)."""

    error_code = "INVALID_PARAMETER"
    details: dict[str, Any] = {}  # extra fields after error/code (none today: seed 002 has exactly two)

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "code": self.error_code, **self.details}


def insufficient_credits(need: int, have: int) -> MesmsError:  # noqa: ARG001  (the vendor shows neither)
    """The seed's text exactly ("Insufficient credits"), in the one error shape {"error", "code"} (seed 002:
    "always JSON in the same shape"): no invented need/have fields."""
    return MesmsError("Insufficient credits", http_status=402, error_code="INSUFFICIENT_CREDITS")


def bad_request(message: str, code: str = "INVALID_PARAMETER") -> MesmsError:
    return MesmsError(message, http_status=400, error_code=code)


def not_found(what: str = "Resource") -> MesmsError:
    return MesmsError(f"{what} not found", http_status=404, error_code="NOT_FOUND")


def _validation(exc: RequestValidationError, request: Request) -> MesmsError:
    field, kind, msg = validation_field(exc)
    if kind == "json_invalid":
        return bad_request("Malformed JSON body", "INVALID_JSON")
    return bad_request(f"{field}: {msg}" if field else msg)


def _core(exc: CoreError, request: Request) -> MesmsError:
    if isinstance(exc, InsufficientCredits):
        return insufficient_credits(exc.need, exc.have)
    if isinstance(exc, NotFound):
        return not_found(exc.what)
    if isinstance(exc, InvalidState):
        return MesmsError(str(exc), http_status=409, error_code="INVALID_STATE")
    return MesmsError("Internal server error", http_status=500, error_code="INTERNAL_ERROR")


ERROR_MAP = ErrorMap(
    validation=_validation,
    not_found=lambda request: not_found("Route"),
    method_not_allowed=lambda request: MesmsError("Method not allowed", http_status=405,
                                                  error_code="METHOD_NOT_ALLOWED"),
    too_large=lambda request: MesmsError("Request body too large", http_status=413, error_code="PAYLOAD_TOO_LARGE"),
    internal=lambda request: MesmsError("Internal server error", http_status=500, error_code="INTERNAL_ERROR"),
    core=_core,
    http_other=lambda status, detail, request: MesmsError(detail or "Error", http_status=status,
                                                          error_code="HTTP_ERROR"),
)


#: me-sms errors by name, worded as the sandbox answers them (codes are DESIGNED where the vendor is silent).
ERRORS: dict[str, MesmsError] = {
    "INVALID_PARAMETER": bad_request("msisdns or contactGroupId is required", "MISSING_RECIPIENTS"),
    "INVALID_MSISDN": bad_request("No valid Thai mobile number (66XXXXXXXXX or 0XXXXXXXXX) in msisdns",
                                  "INVALID_MSISDN"),
    "INVALID_JSON": bad_request("Malformed JSON body", "INVALID_JSON"),
    "UNAUTHORIZED": MesmsError("Invalid API key", http_status=401, error_code="UNAUTHORIZED"),
    "INSUFFICIENT_CREDITS": insufficient_credits(3, 1),
    "FORBIDDEN_SCOPE": MesmsError("API key scope insufficient: sms:send or * is required", http_status=403,
                                  error_code="FORBIDDEN"),
    "FORBIDDEN_OWNER": MesmsError("You are not the resource owner", http_status=403, error_code="FORBIDDEN"),
    "NOT_FOUND": MesmsError("SMS not found", http_status=404, error_code="NOT_FOUND"),
    "METHOD_NOT_ALLOWED": MesmsError("Method not allowed", http_status=405, error_code="METHOD_NOT_ALLOWED"),
    "ALREADY_CANCELLED": MesmsError("SMS is already cancelled", http_status=409, error_code="ALREADY_CANCELLED"),
    "ALREADY_PROCESSING": MesmsError("SMS is already processing or sent", http_status=409,
                                     error_code="ALREADY_PROCESSING"),
    "PAYLOAD_TOO_LARGE": MesmsError("Request body too large", http_status=413, error_code="PAYLOAD_TOO_LARGE"),
    "RATE_LIMITED": MesmsError("Rate limit exceeded", http_status=429, error_code="RATE_LIMITED"),
    "INTERNAL_ERROR": MesmsError("Internal server error", http_status=500, error_code="INTERNAL_ERROR"),
}
