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
from typing import Iterator

from mockserver.core import models  # noqa: F401  (registers the tables)
from mockserver.core.db import migrate


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
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
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
