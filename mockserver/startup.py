"""What `mockserver serve` says when it starts: where it listens, the inbox URL, the database it uses
(the absolute SQLite path, or the URL without its password) and the fixtures folder; and a warning
when another live process already serves the same SQLite file (found with an advisory file lock)."""

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
