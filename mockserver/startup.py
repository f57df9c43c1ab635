"""What `mockserver serve` says when it starts: where it listens, the inbox URL, the database it uses
(the absolute SQLite path, or the URL without its password) and the fixtures folder; and a warning
when another live process already serves the same SQLite file (found with an advisory file lock); and how
every serving process is set up (its uvicorn configuration, its frozen start-up heap)."""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no advisory lock, no warning
    fcntl = None  # type: ignore[assignment]

from mockserver import __version__


def _display(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def browser_host(host: str) -> str:
    """Where a browser reaches a server bound to `host` (a wildcard bind is reached over loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def database_label(settings: Any) -> str:
    """The absolute SQLite path (or "in-memory SQLite"), or the database URL with no password in it."""
    if settings.database_url.startswith("sqlite:"):
        path = settings.sqlite_path()
        return "in-memory SQLite" if path is None else str(path.resolve())
    parts = urllib.parse.urlsplit(settings.database_url)
    user, _, host = parts.netloc.rpartition("@")
    user = user.split(":", 1)[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def fixtures_label(settings: Any) -> str:
    if settings.fixtures_dir is None:
        from mockserver.core.fixtures import bundled_dir

        return f"{bundled_dir()} (bundled)"
    return str(Path(settings.fixtures_dir).resolve())


def start_lines(settings: Any, host: str, port: int) -> list[str]:
    """The start banner: the first line as before, then one line per fact an operator checks."""
    return [f"mockserver {__version__} listening on http://{_display(host)}:{port}/",
            f"  inbox     http://{_display(browser_host(host))}:{port}/",
            f"  database  {database_label(settings)}",
            f"  fixtures  {fixtures_label(settings)}"]


class ServingLock:
    """An exclusive advisory lock on `<database>.serving` held for the life of the server: a second
    server on the same SQLite file cannot take it, and says so (the OS frees it when a process dies,
    so a crashed server never leaves a stale warning behind)."""

    def __init__(self, database: Path) -> None:
        self.path = Path(str(database) + ".serving")
        self.file: IO[str] | None = None
        self.other_pid: str | None = None

    def acquire(self) -> bool:
        """True when this process now holds the lock (or locking is unavailable); False when another
        live process holds it (`other_pid` then names it, if it wrote its pid)."""
        if fcntl is None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="ascii")
        except OSError:
            return True  # a read-only folder: no lock, and no false warning
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            self.other_pid = handle.read().strip() or None
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.file = handle
        return True


def other_server_warning(settings: Any) -> tuple[ServingLock | None, str | None]:
    """The lock this server holds on its SQLite file (keep it referenced), and a one-line warning when
    another live process serves that file. Nothing for PostgreSQL or an in-memory database."""
    if not settings.database_url.startswith("sqlite:") or settings.sqlite_path() is None:
        return None, None
    database = settings.sqlite_path().resolve()
    lock = ServingLock(database)
    if lock.acquire():
        return lock, None
    who = f" (pid {lock.other_pid})" if lock.other_pid else ""
    return None, (f"mockserver: warning: another live mockserver process{who} serves {database}: both read and "
                  "write the same messages and accounts; a reset or fixture change in one affects the other")


def freeze_startup_heap() -> None:
    """Move everything built at startup (FastAPI, pydantic and SQLAlchemy models, fixtures) out of the
    cyclic GC's reach for the life of the server process: full collections walked all of it, stalling
    every request in flight for tens of ms (Cast send p99 65-87 ms with the GC walking it, 12-16 ms frozen,
    scheduler off; bench/http_sends.py). Here, not in the app's lifespan: a test session builds thousands
    of apps, and a full collection at each start made the suite 1.5x slower."""
    import gc

    gc.collect()
    gc.freeze()


def uvicorn_config(app: Any, settings: Any, host: str, port: int, log_level: str) -> Any:
    """The one uvicorn configuration `serve` runs (bench/http_sends.py serves its bare baseline app with it,
    so the ratio compares handlers, not server settings)."""
    import uvicorn

    from mockserver.limits import http_protocol

    # asyncio loop, not uvloop: measured here, uvloop gave a 2.4-8x worse p99 under saturation.
    http = http_protocol(settings.max_header_bytes, settings.max_header_count, settings.head_timeout)
    return uvicorn.Config(app, host=host, port=port, loop="asyncio", log_level=log_level, access_log=False, http=http,
                          h11_max_incomplete_event_size=settings.max_header_bytes)


#: MOCKSERVER_* variables that are not server settings: the test kit's, the test suite's, compose's.
NOT_SETTINGS = frozenset({"MOCKSERVER_URL", "MOCKSERVER_TEST_DATABASE_URL", "MOCKSERVER_SCREENSHOTS",
                          "MOCKSERVER_PUBLISH_ADDRESS", "MOCKSERVER_PUBLISHED_PORT", "MOCKSERVER_TEAM_PORT",
                          "MOCKSERVER_DB_PASSWORD"})


def known_variables() -> set[str]:
    """Every MOCKSERVER_* name a settings class reads (the core's and, once imported, each provider's)."""
    from mockserver import providers  # noqa: F401  (imports every provider's settings class)
    from mockserver.settings import _settings_classes

    names = set(NOT_SETTINGS)
    for cls in _settings_classes():
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        if prefix.startswith("MOCKSERVER_"):
            names.update(f"{prefix}{field}".upper() for field in cls.model_fields)
    return names


def unknown_variable_warnings(environ: dict[str, str]) -> list[str]:
    """One warning per MOCKSERVER_* variable nothing reads (a typo is otherwise silently ignored),
    naming the closest known name."""
    import difflib

    known = known_variables()
    out = []
    for name in sorted(n for n in environ if n.upper().startswith("MOCKSERVER_") and n.upper() not in known):
        # Compared without the shared prefix, which would make every name look alike.
        close = difflib.get_close_matches(name.upper()[len("MOCKSERVER_"):],
                                          [k[len("MOCKSERVER_"):] for k in known], n=1, cutoff=0.75)
        hint = f"; did you mean MOCKSERVER_{close[0]}?" if close else "; see the README's settings table"
        out.append(f"mockserver: warning: {name} is not a setting and is ignored{hint}")
    return out


def provider_problem(settings: Any) -> str | None:
    """A provider named in MOCKSERVER_PROVIDER_OVERRIDES or MOCKSERVER_PROVIDER_SETTINGS that does not
    exist, in one line (else None)."""
    from mockserver.providers import PROVIDERS

    for var, value in (("MOCKSERVER_PROVIDER_OVERRIDES", settings.provider_overrides),
                       ("MOCKSERVER_PROVIDER_SETTINGS", settings.provider_settings)):
        unknown = sorted(set(value) - set(PROVIDERS))
        if unknown:
            return f"invalid setting {var}: unknown provider {unknown[0]!r}; accepted: {', '.join(sorted(PROVIDERS))}"
    return None


def check_provider_settings(settings: Any) -> None:
    """Build every provider's settings class as its app will (raising pydantic's error for a bad value):
    `serve --workers N` builds the apps in its children, and a bad value must still stop the start in the
    parent with one line, not as a child's traceback."""
    from mockserver.providers import PROVIDERS
    from mockserver.settings import _settings_classes

    for cls in _settings_classes():
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        name = prefix[len("MOCKSERVER_"):].rstrip("_").lower()
        if prefix.startswith("MOCKSERVER_") and name in PROVIDERS:
            cls(**settings.provider_settings.get(name, {}))


#: What `mockserver serve --help` lists after the options: the settings most starts need, in short.
MAIN_SETTINGS = {
    "host": "bind address (--host wins)",
    "port": "port (--port wins)",
    "workers": "processes (--workers wins; unset: 1; 2 gives the engine its own)",
    "database_url": "sqlite:///path/file.db or postgresql://user@host:port/db",
    "fixtures_dir": "your fixtures folder (unset: the bundled fixtures)",
    "timing": "default or instant (every lifecycle step due at once)",
    "seed": "seed for ids and outcomes: a run replays",
    "auto_provision": "any well-formed credential gets a funded account",
    "control_token": "protect /_mock, the inbox and /credentials with a token",
    "rate_limit_enabled": "false: no vendor rate limits (load tests)",
    "request_journal_limit": "requests kept by GET /_mock/requests (0: off)",
}


def settings_epilog() -> str:
    """The main settings, one line each (variable, default, meaning): `serve --help`'s epilog."""
    from mockserver.settings import Settings

    lines = ["main settings (environment variables; every one is in the README's settings table):"]
    for name, about in MAIN_SETTINGS.items():
        default = Settings.model_fields[name].default
        shown = "unset" if default is None else str(default).lower() if isinstance(default, bool) else str(default)
        lines.append(f"  MOCKSERVER_{name.upper():22s} {shown:31s} {about}")
    return "\n".join(lines)
