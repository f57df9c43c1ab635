"""EngageLab's two error envelopes, drawn as one hierarchy:

    EngageLabError (ProviderError)
     ├── SendError    POST /v1/messages: {plan_id, total_count, accepted_count, message, code}
     └── ConfigError  template/sign configs: {"code": 400|500 (or 2001/2002/2004 for auth), "message"}
"""

from __future__ import annotations

from typing import Any

from mockserver.providers.base import ProviderError

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
