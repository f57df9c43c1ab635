"""me-sms provider knobs, read from MOCKSERVER_MESMS_* environment variables (no module-level instance)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MesmsSettings(BaseSettings):
    """Designed defaults where the vendor is silent; each maps to MOCKSERVER_MESMS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="MOCKSERVER_MESMS_", extra="ignore")

    ucs2_flat: bool = Field(
        default=False,
        description="Count every UCS-2 part as 70 characters (the vendor page says 'Thai 70 per SMS') "
                    "instead of 70 single / 67 per part of a long message.",
    )
    max_msisdns: int = Field(default=2_000_000, description="Most numbers accepted in one send (vendor: 2,000,000).")
    max_content: int = Field(default=1_000, description="Longest content in characters (vendor: 1,000).")
    max_sender: int = Field(default=11, description="Longest sender name (vendor: 11).")
    rate_limit_per_second: float = Field(default=20.0, description="Requests per second per API key (DESIGNED).")
    rate_limit_burst: int = Field(default=40, description="Requests a key may send at once before 429 (DESIGNED).")
    foreign_resource_status: int = Field(
        default=403, ge=403, le=404,
        description="Status for another account's uuid: 403 'not the resource owner' or 404.")
    retry_needs_send_scope: bool = Field(
        default=False,
        description="The vendor: only /send needs `sms:send` or `*`; 'other endpoints only require any valid "
                    "API key'. True makes retry (which sends) need the send scope too.")
    page_default: int = Field(default=100, description="Recipients per page when `limit` is absent.")
    page_max: int = Field(default=1_000, description="Largest `limit` on recipients and list pages.")
    key_pattern: str = Field(
        default=r"[A-Za-z0-9_\-]{16,128}",
        description="A well-formed API key (auto-provision creates an account for unknown keys matching it).",
    )
