"""Cast-only knobs, read from MOCKSERVER_CAST_* environment variables (global ones stay in mockserver/settings.py)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CastSettings(BaseSettings):
    """Each field maps to MOCKSERVER_CAST_<NAME>. MOCKSERVER_RATE_LIMIT_ENABLED=false still disables both limiters."""

    model_config = SettingsConfigDict(env_prefix="MOCKSERVER_CAST_", extra="ignore")

    sim_service_enabled: bool = Field(default=True, description="False: sim/send and sim/bulk answer 503.")
    sms_service_enabled: bool = Field(default=True, description="False: sms/send, otp/send and sms/bulk answer 503 "
                                                                "(per account: extra.sms_service_enabled=false).")
    provider_error_suffix: str = Field(default="999502", description="A destination ending in these digits gets 502 "
                                                                     "PROVIDER_ERROR (a bulk: that destination fails).")
    rate_limit_enabled: bool = True
    rate_limit_rate: float = Field(default=30.0, description="Requests per second per client IP.")
    rate_limit_burst: int = Field(default=50, description="Bucket size per client IP.")
    account_send_rate: float = Field(default=10.0, description="Send requests per second per account.")
    account_send_burst: int = 10
    retry_after: int = Field(default=60, description="Retry-After seconds on 429 (the docs say 60).")
    idempotency_window: float = Field(default=86_400.0, description="Seconds a stored response is replayed.")
    max_bulk: int = 1000
    schedule_min_lead: float = Field(default=30.0, description="scheduled_at must be at least this far ahead.")
    unsubscribe_token_ttl: float = Field(default=7 * 86_400.0, description="Lifetime of unsubscribe links.")
    unsubscribe_base: str = "u.cast.ph"
    max_body_bytes: int = Field(default=1024 * 1024, description="Bodies above this get 413 (also capped globally).")
    usage_utc_offset_hours: float = Field(default=8.0, description="account/usage days are Manila days (UTC+8).")
    viber_credits: int = Field(default=1, description="Credits one Viber message costs.")
