"""EngageLab-only knobs, read from MOCKSERVER_ENGAGELAB_* environment variables (no module-level instance)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The vendor's documented list of strings a template may not contain.
DOCUMENTED_FORBIDDEN = ["【", "】", "、", "测试", "test", "[", "]"]


class EngageLabSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOCKSERVER_ENGAGELAB_", extra="ignore")

    otp_validity: float = Field(
        default=300.0, ge=0,
        description="Seconds an authentication-template code stays valid; a resend of the same template to "
                    "the same target inside it gets 3004 (designed: the vendor does not publish the window).",
    )
    otp_failure_as_5001: bool = Field(
        default=True,
        description="An authentication-template send whose target is a magic 'failed' number answers 5001 "
                    "at once instead of a later sent_failed callback (designed).",
    )
    price_per_part: float = Field(default=0.005, ge=0, description="billing.cost per SMS part, in `currency`.")
    currency: str = Field(default="USD", description="billing.currency; the vendor documents it as fixed USD.")
    sign_format: str = Field(
        default="【{name}】",
        description="How a template's signature is rendered into the sent text ({name} = sign_name) (designed).",
    )
    send_errors_http_200: bool = Field(
        default=False,
        description="Answer send errors with HTTP 200 (the seed's 'Sending Errors' paragraph) instead of the "
                    "error table's HTTP status per code (the default).",
    )
    forbidden_content: list[str] = Field(
        default_factory=lambda: list(DOCUMENTED_FORBIDDEN),
        description="Substrings a template_content may not contain (case-sensitive, as documented).",
    )
