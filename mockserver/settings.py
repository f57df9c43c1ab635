"""Typed settings read from MOCKSERVER_* environment variables; no module-level instance.
An empty variable means "not set". `explain_settings_error` turns a bad value into one line for the CLI."""

from __future__ import annotations

import enum
import os
import re
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mockserver.core.delivery.retry import DEFAULT_MAX_ATTEMPTS


#: Database URL schemes a backend opens (core/db/connect.py).
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


class Settings(BaseSettings):
    """Every knob of the sandbox. Each field maps to MOCKSERVER_<NAME>."""

    # Compose files pass `${VAR:-}` for an unset variable: an empty string must mean the default.
    model_config = SettingsConfigDict(env_prefix="MOCKSERVER_", extra="ignore", env_ignore_empty=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    database_url: str = Field(
        default="sqlite:///./data/mockserver.db",
        description="sqlite:///path (the parent folder is created on start) or postgresql://user@host:port/db "
                    "(also postgresql+psycopg://, postgres://) for a sandbox shared by several replicas.",
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
    queue_delay: float = Field(ge=0, default=1.0, description="Seconds from queued to sent.")
    delivery_delay: float = Field(ge=0, default=3.0, description="Seconds from sent to a final state.")
    slow_delivery_delay: float = Field(ge=0, default=120.0, description="Sent to delivered for 'slow' magic numbers.")
    receipt_timeout: float = Field(ge=0, default=600.0, description="Sent to 'timeout' when no receipt comes.")
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
    review_delay: float = Field(ge=0, default=30.0, description="Seconds a new template or sender waits for review.")
    scheduler_enabled: bool = True
    scheduler_interval: float = Field(default=0.25, description="Seconds between background ticks.")
    clock_frozen: bool = False

    # Webhooks.
    webhook_timeout: float = 5.0
    webhook_max_attempts: int = DEFAULT_MAX_ATTEMPTS
    webhook_backoff_base: float = Field(default=2.0, description="Retry n waits base * 2**(n-1) s.")
    webhook_concurrency: int = Field(default=64, ge=1, description="Webhook requests in flight at once, overall.")
    # 16: measured 1.3-1.6x the throughput of 6 (bench/webhooks.py); a developer's app server (uvicorn,
    # Express, puma) takes 16-32 concurrent requests. A receiver that cannot (Python's http.server has a
    # listen backlog of 5) still gets every webhook, a few after a connection retry.
    webhook_per_host_concurrency: int = Field(
        default=16, ge=1, description="Webhook requests in flight to one receiver host:port (its lane).")
    webhook_batch: int = Field(default=1000, ge=1, description="Most outbox rows claimed in one transaction.")
    webhook_lease: float = Field(
        default=15.0, gt=0,
        description="Wall-clock seconds an attempt holds its row; after a crash it is sent again once this "
                    "expires. Keep it above webhook_timeout.")
    webhook_settle_wait: float = Field(
        default=1.0, ge=0,
        description="Clock advance, redelivery and other control actions wait at most this long for the "
                    "webhooks they made due to be attempted before answering.")
    advance_max_wait: float = Field(
        default=60.0, ge=0,
        description="Wall-clock seconds a clock advance may spend walking through its window (every transition, "
                    "webhook attempt and retry due inside it, in order) before it jumps to the end and answers; "
                    "what is left is delivered in the background. Keep it above webhook_max_attempts x "
                    "webhook_timeout, so a hanging receiver still gets its whole retry ladder.")
    # Request bins (/_mock/bins): open for writes even with a control token, so bounded.
    bin_max_bins: int = Field(default=100, ge=1, description="Bins holding requests at once; a request to one "
                              "more bin is refused with 507 until a bin is emptied or the sandbox reset.")
    bin_max_requests: int = Field(default=500, ge=1, description="Requests kept per bin; the oldest are dropped.")
    bin_max_body: int = Field(default=64 * 1024, ge=0, description="Bytes of a caught body kept (the full size "
                              "is recorded, the capture marked truncated).")
    backpressure_lag: float = Field(
        default=1.0, ge=0,
        description="While the background scheduler runs transitions more than this many seconds late, provider "
                    "send endpoints answer with the vendor's own 429 and Retry-After; 0 disables it.")
    wait_recheck: float = Field(default=0.5, description="Seconds between database re-checks of a /_mock wait.")

    # Several replicas on one database (core/shared.py, docs/deploy.md).
    shared_state: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Share the clock, rate limits and the live feed through the database, for several "
                    "replicas on one database. auto: on for PostgreSQL, off for SQLite (set on for several "
                    "processes on one SQLite file).",
    )

    # Processes (mockserver/supervisor.py): `serve --workers` wins over MOCKSERVER_WORKERS.
    workers: int | None = Field(
        default=None, ge=1, le=64,
        description="Worker processes of `mockserver serve`: 1 = one process (API, scheduler and webhook delivery "
                    "together); N >= 2 = N-1 API processes plus one engine process (scheduler, webhook delivery, "
                    "feed relay) on the same database. Unset: 2 (one API process, one engine) on a machine with 2 or "
                    "more cores, else 1.")
    process_role: Literal["all", "api", "engine"] = Field(
        default="all",
        description="What this process runs: all (API and engine), api (HTTP only, no background scheduler) or "
                    "engine (scheduler and delivery, no HTTP). Set by `serve --workers` for its children.")

    # Traffic shaping (per provider rules still apply).
    rate_limit_enabled: bool = True
    max_body_bytes: int = Field(default=64 * 1024 * 1024, description="Larger bodies get 413.")

    # Request journal (core/journal.py, GET /_mock/requests).
    request_journal: bool = Field(default=True, description="Record every provider request and its answer.")
    request_journal_limit: int = Field(default=10_000, ge=0,
                                       description="Requests kept in the journal (oldest pruned); 0 turns it off.")

    # Provider settings: values for each provider's own settings class, over its MOCKSERVER_<P>_* variables.
    provider_settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Per provider, e.g. {"cast": {"retry_after": 30}, "smscpr": {"max_body_bytes": 2048}}; '
                    'a key here wins over the MOCKSERVER_<PROVIDER>_<KEY> variable.',
    )

    # Hardening (mockserver/guards.py, mockserver/limits.py, core/delivery/callback_urls.py).
    control_token: str | None = Field(
        default=None, description="When set, /_mock (but /_mock/health), / and the UI need it: "
                                  "'Authorization: Bearer <token>' or the browser login at /_login.",
    )
    control_max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="Control API bodies above get 413.")
    max_json_depth: int = Field(default=64, ge=2, description="Deeper JSON bodies are a validation error.")
    max_header_bytes: int = Field(default=64 * 1024, ge=1024,
                                  description="Request line plus headers; beyond: 431 and the connection closes.")
    max_header_count: int = Field(default=100, ge=8, description="More header lines get 431.")
    webhook_allow_hosts: list[str] = Field(
        default_factory=list, description='Host globs or CIDRs callbacks may go to, e.g. ["*.example.com", '
                                          '"10.0.0.0/8"]; empty: any host.',
    )
    webhook_deny_hosts: list[str] = Field(
        default_factory=list, description='Host globs or CIDRs callbacks may never go to, e.g. ["169.254.0.0/16"].',
    )
    allowed_hosts: list[str] = Field(
        default_factory=list, description='Host names answered besides IP literals, localhost, *.localhost, '
                                          'single-label names and host.docker.internal, e.g. ["sms.example.com", '
                                          '"*.internal"]; ["*"]: any. Other Host headers get 421.',
    )
    login_attempts_per_minute: int = Field(default=10, ge=1, description="Per client address, at /_login.")
    session_ttl: float = Field(default=12 * 3600, gt=0, description="Seconds a browser login stays valid.")
    head_timeout: float = Field(default=10.0, gt=0, le=300,
                                description="Seconds a client may take to send a request head; then it is dropped.")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        """A URL no backend opens is refused here (one line at the CLI), not deep in the database layer."""
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in DATABASE_SCHEMES or (scheme == "sqlite" and not value.startswith("sqlite:///")):
            raise ValueError("expected sqlite:///path/to/file.db or postgresql://user@host:port/db")
        return value

    @field_validator("provider_overrides")
    @classmethod
    def _no_negative_override(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for provider, override in value.items():
            for key, number in (override or {}).items():
                if key.endswith(("_delay", "_timeout")) and isinstance(number, (int, float)) and number < 0:
                    raise ValueError(f"{provider}.{key} is {number}: a delay cannot be negative")
        return value

    def sqlite_path(self) -> Path | None:
        """The SQLite file behind database_url, or None for an in-memory database."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            raise ValueError("MOCKSERVER_DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        rest = self.database_url[len(prefix):]
        if rest in ("", ":memory:"):
            return None
        return Path(rest)


_KIND_WORDS = {bool: "true or false (also 1/0, yes/no, on/off)", int: "an integer", float: "a number",
               str: "text", Path: "a folder path", dict: "a JSON object", list: "a JSON array"}


def accepted_values(annotation: Any) -> str:
    """What a settings field accepts, in words, e.g. "'default' or 'instant'" or "an integer, or empty"."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return " or ".join(repr(v) for v in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " or ".join(repr(m.value) for m in annotation)
    args = typing.get_args(annotation)
    if type(None) in args:  # Optional: empty or unset means None
        rest = [a for a in args if a is not type(None)]
        return " or ".join(accepted_values(a) for a in rest) + ", or empty for none"
    if args and origin not in (dict, list):
        return " or ".join(accepted_values(a) for a in args)
    return _KIND_WORDS.get(origin or annotation, getattr(annotation, "__name__", str(annotation)))


def _settings_classes() -> list[type[BaseSettings]]:
    found, todo = [], list(BaseSettings.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _bounds(metadata: list[Any]) -> str:
    """" from 0 to 65535"-style words for a field's ge/le/gt/lt constraints."""
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    found = [f"{word} {getattr(m, name)}" for m in metadata for name, word in words.items()
             if getattr(m, name, None) is not None]
    return f" ({', '.join(found)})" if found else ""


def _line(cls: type[BaseSettings], field: str, detail: str) -> str:
    var = f"{cls.model_config.get('env_prefix', '')}{field}".upper()
    info = cls.model_fields.get(field)
    accepts = accepted_values(info.annotation) + _bounds(info.metadata) if info is not None \
        else "see the README's settings table"
    shown = os.environ.get(var)
    got = f"={shown!r}" if shown is not None else ""
    return f"invalid setting {var}{got}: {detail}; accepted: {accepts}"


def explain_settings_error(exc: Exception) -> str:
    """One line naming the environment variable, its value and what it accepts, for a settings class
    that failed to load (a pydantic ValidationError, or pydantic-settings' SettingsError for bad JSON)."""
    classes = _settings_classes()
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        cls = next((c for c in classes if c.__name__ == exc.title), Settings)
        field = str(err["loc"][0]) if err.get("loc") else "?"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return _line(cls, field, err["msg"]) + more
    match = re.search(r'field "(\w+)"', str(exc))
    if match:
        field = match.group(1)
        for cls in classes:
            if field in cls.model_fields and f"{cls.model_config.get('env_prefix', '')}{field}".upper() in os.environ:
                return _line(cls, field, "not valid JSON")
    return f"invalid setting: {exc}"
