"""Typed settings read from MOCKSERVER_* environment variables; no module-level instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the sandbox. Each field maps to MOCKSERVER_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="MOCKSERVER_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = Field(
        default="sqlite:///./data/mockserver.db",
        description="Only SQLite is supported; the parent folder is created on start.",
    )
    auto_provision: bool = Field(
        default=False,
        description="Any well-formed credential creates a fresh, funded account on first use.",
    )
    auto_provision_credits: int = 1_000_000
    fixtures_dir: Path | None = Field(default=None, description="None: the bundled fixtures.")
    load_fixtures: bool = True
    seed: int | None = Field(default=None, description="Seed for ids and Faker; None: random.")

    # Lifecycle timing. "instant" makes every step due at once (still driven by the scheduler).
    timing: Literal["default", "instant"] = "default"
    queue_delay: float = Field(default=1.0, description="Seconds from queued to sent.")
    delivery_delay: float = Field(default=3.0, description="Seconds from sent to a final state.")
    slow_delivery_delay: float = Field(default=120.0, description="Sent to delivered for 'slow' magic numbers.")
    receipt_timeout: float = Field(default=600.0, description="Sent to 'timeout' when no receipt comes.")
    random_failure_rate: float = Field(
        default=0.0, ge=0.0, le=1.0,
        description="Share of ordinary recipients given a random failed outcome (seeded, deterministic).",
    )
    random_outcomes: dict[str, float] = Field(
        default_factory=dict,
        description='Seeded random mix on top of the failure rate, e.g. {"undelivered": 0.05, "expired": 0.01}.',
    )
    provider_overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Per-provider timing and outcome mix, e.g. {"cast": {"delivery_delay": 10, '
                    '"random_outcomes": {"undelivered": 0.2}}}. Keys: timing, queue_delay, delivery_delay, '
                    'slow_delivery_delay, receipt_timeout, random_failure_rate, random_outcomes.',
    )
    review_delay: float = Field(default=30.0, description="Seconds a new template or sender waits for review.")
    scheduler_enabled: bool = True
    scheduler_interval: float = Field(default=0.25, description="Seconds between background ticks.")
    clock_frozen: bool = False

    # Webhooks.
    webhook_timeout: float = 5.0
    webhook_max_attempts: int = 5
    webhook_backoff_base: float = Field(default=2.0, description="Retry n waits base * 2**(n-1) s.")
    webhook_concurrency: int = Field(default=64, ge=1, description="Webhook requests in flight at once, overall.")
    webhook_per_host_concurrency: int = Field(
        default=6, ge=1, description="Webhook requests in flight to one receiver host:port (its lane).")
    webhook_batch: int = Field(default=1000, ge=1, description="Most outbox rows claimed in one transaction.")
    webhook_lease: float = Field(
        default=15.0, gt=0,
        description="Wall-clock seconds an attempt holds its row; after a crash it is sent again once this "
                    "expires. Keep it above webhook_timeout.")
    webhook_settle_wait: float = Field(
        default=1.0, ge=0,
        description="Clock advance, redelivery and other control actions wait at most this long for the "
                    "webhooks they made due to be attempted before answering.")
    wait_recheck: float = Field(default=0.5, description="Seconds between database re-checks of a /_mock wait.")

    # Traffic shaping (per provider rules still apply).
    rate_limit_enabled: bool = True
    max_body_bytes: int = Field(default=64 * 1024 * 1024, description="Larger bodies get 413.")

    def sqlite_path(self) -> Path | None:
        """The SQLite file behind database_url, or None for an in-memory database."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            raise ValueError("MOCKSERVER_DATABASE_URL must be a sqlite:/// URL")
        rest = self.database_url[len(prefix):]
        if rest in ("", ":memory:"):
            return None
        return Path(rest)
