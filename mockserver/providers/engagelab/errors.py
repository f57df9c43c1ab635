"""EngageLab's two error envelopes, drawn as one hierarchy:

    EngageLabError (ProviderError)
     ├── SendError    POST /v1/messages: {plan_id, total_count, accepted_count, message, code}
     └── ConfigError  template/sign configs: {"code": 400|500 (or 2001/2002/2004 for auth), "message"}

ERRORS is the catalogue of both by name; ERROR_MAP words every generic failure (validation, 404, 405, 413,
core errors, crashes) in the right one.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from mockserver.core.errors import CoreError, InsufficientCredits, NotFound
from mockserver.providers.base import ProviderError
from mockserver.providers.context import context_of
from mockserver.providers.http import ErrorMap, validation_field

#: The seed's error table: send code -> HTTP status.
SEND_HTTP_STATUS = {1000: 500, 2001: 401, 2002: 401, 2004: 403, 3001: 400, 3002: 400, 3003: 400, 3004: 400,
                    4001: 400, 5001: 400}

# Wording of the seed's table, used when a caller gives no more specific message.
SEND_MESSAGES = {
    1000: "Internal Error",
    2001: "Authentication failed, incorrect token provided",
    2002: "Authentication failed, token expired or disabled",
    2004: "No permission to call this API",
    3001: "Invalid request parameter format, check if it conforms to JSON format",
    3002: "Invalid request parameters, check if they meet the requirements",
    3003: "Invalid request parameters, business validation failed",
    3004: "Exceeded frequency limit, cannot resend the same template to the same target user within the "
          "validity period of the verification code",
    4001: "Resource not found",
    5001: "Verification code message sending failed",
}


class EngageLabError(ProviderError):
    """Base of both envelopes; `error_code` is the vendor's numeric code."""

    error_code: int = 1000


class SendError(EngageLabError):
    """A send failure; carries the plan counters the send envelope always shows."""

    def __init__(self, code: int, message: str | None = None, *, plan_id: str = "", total_count: int = 0,
                 accepted_count: int = 0, http_status: int | None = None) -> None:
        super().__init__(message or SEND_MESSAGES[code], error_code=code,
                         http_status=http_status or SEND_HTTP_STATUS[code])
        self.plan_id = plan_id
        self.total_count = total_count
        self.accepted_count = accepted_count

    def body(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "total_count": self.total_count, "accepted_count": self.accepted_count,
                "message": self.message, "code": self.error_code}


class ConfigError(EngageLabError):
    """A template/sign config failure: HTTP 4xx/5xx with {"code", "message"}."""

    def __init__(self, message: str, *, code: int = 400, http_status: int | None = None) -> None:
        super().__init__(message, error_code=code, http_status=http_status or (code if code in (400, 500) else 400))

    def body(self) -> dict[str, Any]:
        return {"code": self.error_code, "message": self.message}


def config_not_exist(what: str) -> ConfigError:
    return ConfigError(f"{what} config not exist")


def target_count(raw: Any) -> int:
    """total_count of a refused body: how many targets it named, when that can be told."""
    to = raw.get("to") if isinstance(raw, dict) else None
    return 1 if isinstance(to, str) else len(to) if isinstance(to, list) else 0


def send_error(request: Request, code: int, message: str | None = None, *, total_count: int = 0,
               http_status: int | None = None) -> SendError:
    """A send error for a request refused before a plan exists (a fresh plan_id, accepted_count 0)."""
    runtime = context_of(request).runtime
    return SendError(code, message, plan_id=str(runtime.ids.snowflake()), total_count=total_count,
                     http_status=send_status(request, code, http_status))


def send_status(request: Request, code: int, http_status: int | None = None) -> int:
    """The table's HTTP status for `code` (or `http_status`), or 200 when send errors are configured so."""
    if context_of(request).settings.send_errors_http_200:
        return 200
    return http_status or SEND_HTTP_STATUS[code]


def fit_fault_error(error: ProviderError, request: Request, body: Any) -> ProviderError:
    """A catalogue send error answering a faulted request: a fresh plan_id, the body's target count, and
    the configured status (200 when send errors are set so), as a refused send reads."""
    if not isinstance(error, SendError):
        return error
    status = error.http_status if error.http_status != SEND_HTTP_STATUS[error.error_code] else None
    return send_error(request, error.error_code, error.message, total_count=target_count(body), http_status=status)


def _is_send(request: Request) -> bool:
    return request.url.path.rstrip("/").endswith("/v1/messages")


def _validation(exc: RequestValidationError, request: Request) -> ProviderError:
    field, _, msg = validation_field(exc)
    if _is_send(request):
        return send_error(request, 3002, f"Invalid request parameters: {field}: {msg}")
    return ConfigError(f"invalid request: {field}: {msg}")


def _too_large(request: Request) -> ProviderError:
    if _is_send(request):
        return send_error(request, 3002, "Invalid request parameters: request body too large", http_status=413)
    return ConfigError("request body too large", http_status=413)


def _internal(request: Request) -> ProviderError:
    return send_error(request, 1000) if _is_send(request) else ConfigError("internal error", code=500)


def _core(exc: CoreError, request: Request) -> ProviderError:
    if not _is_send(request):
        return ConfigError(str(exc), code=400)
    if isinstance(exc, InsufficientCredits):
        return send_error(request, 3003, "insufficient balance")
    return send_error(request, 4001 if isinstance(exc, NotFound) else 3003, str(exc))


ERROR_MAP = ErrorMap(
    validation=_validation,
    not_found=lambda request: ConfigError(f"not found: {request.method} {request.url.path}", code=404,
                                          http_status=404),
    method_not_allowed=lambda request: ConfigError(f"method {request.method} not allowed", code=405,
                                                   http_status=405),
    too_large=_too_large,
    internal=_internal,
    core=_core,
)


_SEND_NAMES = {1000: "INTERNAL_ERROR", 2001: "AUTH_FAILED", 2002: "TOKEN_DISABLED", 2004: "NO_PERMISSION",
               3001: "INVALID_FORMAT", 3002: "INVALID_PARAMETERS", 3003: "BUSINESS_VALIDATION_FAILED",
               3004: "OTP_FREQUENCY_LIMIT", 4001: "RESOURCE_NOT_FOUND", 5001: "OTP_SEND_FAILED"}

#: EngageLab's errors by name: the send table's codes (SendError) and the config APIs' (ConfigError).
ERRORS: dict[str, EngageLabError] = {
    **{name: SendError(code) for code, name in _SEND_NAMES.items()},
    "CONFIG_INVALID": ConfigError("template_content is required"),
    "CONFIG_NOT_EXIST": config_not_exist("template"),
    "CONFIG_AUTH_FAILED": ConfigError(SEND_MESSAGES[2001], code=2001, http_status=401),
    "CONFIG_TOKEN_DISABLED": ConfigError("Authentication failed, token disabled", code=2002, http_status=401),
    "CONFIG_NO_PERMISSION": ConfigError(SEND_MESSAGES[2004], code=2004, http_status=403),
    "CONFIG_INTERNAL_ERROR": ConfigError("internal error", code=500),
}


def example_body(error: ProviderError, path: str) -> dict[str, Any] | None:
    """An ERRORS entry as `path` answers it: send errors on /v1/messages, config errors elsewhere."""
    if path.rstrip("/").endswith("/v1/messages"):
        if not isinstance(error, SendError):
            return None
        error.plan_id, error.total_count = "1876653440390184960", 1
        return error.body()
    return error.body() if isinstance(error, ConfigError) else None
