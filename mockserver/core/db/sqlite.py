"""The SQLite store (the default backend); PostgreSQL lives in postgres.py, chosen by URL in connect.open_database.

SQLite: the schema from core/db/migrate.py (Alembic), then thread-local sqlite3 connections in WAL mode.

SQLModel defines the schema; the hot paths use sqlite3 directly (the ORM is ~3x slower per request
and unusable for 2M-row sends, see performance notes).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

try:
    import fcntl
except ImportError:  # Windows: writers of other processes wait in SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

from mockserver.core import models  # noqa: F401  (registers the tables)
from mockserver.core.db import migrate, reads


class Database:
    """One SQLite file; each thread gets its own connection (sqlite3 objects are not shared)."""

    dialect = "sqlite"

    def __init__(self, path: Path | None) -> None:
        # ":memory:" gets a throw-away file instead: a shared-cache in-memory database ignores the
        # busy timeout, so concurrent writers got "database table is locked" errors (500s).
        self._scratch = tempfile.mkdtemp(prefix="mockserver-") if path is None else None
        self.path = path = Path(self._scratch, "sandbox.db") if path is None else path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._uri = f"file:{path}"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._create_schema()
        self._file_lock = _open_lock_file(Path(str(path) + ".writing"))

    def _create_schema(self) -> None:
        """Refuse a newer release's database untouched; else bring it to this release's schema revision
        (core/db/migrate.py: Alembic, under SQLite's write lock)."""
        migrate.prepare(self, migrate.Target(str(self.path), "sqlite", self._new_connection))

    def _new_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False, isolation_level=None, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        return conn

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._new_connection()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self, key: str | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (BEGIN IMMEDIATE), so check-then-update is atomic. `key`
        narrows the lock on PostgreSQL (see postgres.PgDatabase.write); SQLite has one writer anyway."""
        conn = self.conn()
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        # Writers queue on a mutex first: SQLite's own busy handler polls with sleeps of up to 100 ms,
        # which cut send throughput ~4x under 8 concurrent clients (profiled); a mutex hands over at once.
        with self._write_lock, _flocked(self._file_lock), _immediate(conn):
            yield conn
        reads.forget()  # this request's remembered versions may be stale now (a rollback changed nothing)

    @contextmanager
    def write_if_free(self) -> Iterator[sqlite3.Connection | None]:
        """`write()` when both write queues (this process's mutex, every process's flock) are free at this
        moment, else None at once: for the event loop's thread, which must never wait for a lock another
        thread or process holds (core/store/writer.py then hands the work to its thread instead). Always None
        without a flock (Windows, a read-only folder): another process's writer would then be met only in
        SQLite's busy handler, which may wait up to busy_timeout with the loop stopped."""
        conn = self.conn()
        lock = self._file_lock
        if lock is None or conn.in_transaction or not self._write_lock.acquire(blocking=False):
            yield None
            return
        try:
            if not _flock_if_free(lock):
                yield None
                return
            try:
                with _immediate(conn):
                    yield conn
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        finally:
            self._write_lock.release()
        reads.forget()

    def close(self) -> None:
        if self._file_lock is not None:
            self._file_lock.close()
            self._file_lock = None
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def _open_lock_file(path: Path) -> IO[bytes] | None:
    """The file whose flock queues the writers of every process on this database (None: no flock here).
    A file object, not a bare descriptor: a Database nobody closed (a test's) frees it when collected."""
    if fcntl is None:
        return None
    try:
        return open(path, "ab")  # noqa: SIM115  (held for the Database's life)
    except OSError:  # a read-only folder: SQLite's busy handler still serializes the writers
        return None


@contextmanager
def _flocked(lock: IO[bytes] | None) -> Iterator[None]:
    """Hold the cross-process write queue: the same fix as the in-process mutex, for the processes of
    `serve --workers N` and replicas on one file, whose writers otherwise met only in SQLite's busy
    handler (sleeps of up to 100 ms each: the engine's tick transactions fell behind the API's sends)."""
    if lock is None:
        yield
        return
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction taken up front, committed, or rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _flock_if_free(lock: IO[bytes]) -> bool:
    """Take the cross-process write queue only if no other process holds it (True: taken)."""
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
