"""SMSCPR knobs, read from MOCKSERVER_SMSCPR_* variables when the app is built (no module-level instance).

Every value here is DESIGNED: the vendor publishes no rate limits, prices or size limits.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmscprSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOCKSERVER_SMSCPR_", extra="ignore")

    rate_limit_per_second: float = Field(default=30.0, gt=0, description="Requests per second per account.")
    rate_limit_burst: int = Field(default=60, ge=1, description="Requests an idle account may make at once.")
    rate_limit_enabled: bool = Field(
        default=True, description="Also off when the global MOCKSERVER_RATE_LIMIT_ENABLED is false.")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Larger request bodies get 413.")
    max_parts: int = Field(default=10, ge=1, description="A body needing more SMS parts gets 422.")
    insufficient_credits_status: int = Field(
        default=402, description="HTTP status for a send the account's credits cannot cover: 402 or 403.")
    dlr_intermediate: bool = Field(
        default=True, description="Report DISPATCHED receipts as well as final ones.")
    dlr_shape: Literal["full", "seed"] = Field(
        default="full", description="full: the whole DeliveryReceipt; seed: only the 11 fields of the vendor's example.")
    price_per_part: float = Field(default=0.0075, ge=0, description="USD per SMS part, filled in final receipts.")
    ptf_per_part_nanp: float = Field(
        default=0.003, ge=0, description="Carrier pass-through fee per part for +1 (US/CA) destinations, USD.")

    @field_validator("insufficient_credits_status")
    @classmethod
    def _credits_status(cls, v: int) -> int:
        if v not in (402, 403):
            raise ValueError("must be 402 or 403")
        return v
