"""Versioned schema migrations: a one-row `schemaversion` table and an ordered list of steps.

SQLModel's create_all only ever adds whole tables, so a column added to an existing table, or data a
new release needs, comes from a step here. Each step is idempotent (it checks before it alters), so
a fresh database simply runs them all after create_all. To add one: append `Migration(n, ...)`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from typing import Callable

from sqlmodel import SQLModel

from mockserver.core.db import schema  # noqa: F401  (its Boolean -> INTEGER rule on PostgreSQL)
from mockserver.core.store.webhooks import upgrade_webhook_outbox


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release than this code; opening it could corrupt it."""


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    apply: Callable[[sqlite3.Connection], None]


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def add_missing_columns(conn: sqlite3.Connection) -> None:
    """Every column the models declare that an older database lacks (e.g. runtimestate.boots)."""
    present = tables(conn)
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in present:
            continue
        have = columns(conn, table.name)
        for column in table.columns:
            if column.name in have:
                continue
            sql_type = column.type.compile(dialect=_dialect(conn))
            default = column.default.arg if column.default is not None and column.default.is_scalar else None
            if default is None and not column.nullable:  # neither engine adds a NOT NULL column without one
                default = 0 if column.type.python_type in (int, float, bool) else ""
            clause = "" if default is None else f" NOT NULL DEFAULT {_literal(default)}"
            conn.execute(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {sql_type}{clause}")


#: Columns that hold "when this happened" on the sandbox clock (never a future due time).
_PAST_TIMES = {"message": ("created_at", "updated_at", "completed_at"), "event": ("at",),
               "webhook": ("created_at", "updated_at"), "webhookattempt": ("at",), "inbound": ("received_at",),
               "account": ("created_at",), "recipient": ("updated_at", "done_at")}


def latest_recorded_time(conn: sqlite3.Connection) -> float | None:
    present, found = tables(conn), []
    for table, cols in _PAST_TIMES.items():
        if table not in present:
            continue
        usable = [c for c in cols if c in columns(conn, table)]
        for col in usable:
            value = conn.execute(f"SELECT MAX({col}) FROM {table}").fetchone()[0]
            if isinstance(value, (int, float)):
                found.append(float(value))
    return max(found) if found else None


def restore_unsaved_clock(conn: sqlite3.Connection) -> None:
    """Releases before the clock was persisted kept time travel in memory only: reopened, their
    database's clock fell back to real time (~3,600 s behind what it had recorded). With no stored
    clock, continue from the latest time the data records, so time never runs backwards."""
    if conn.execute("SELECT 1 FROM runtimestate WHERE id = 1").fetchone() is not None:
        return
    latest, now = latest_recorded_time(conn), time.time()
    if latest is not None and latest > now:  # no row otherwise: a fresh start keeps its own clock settings
        conn.execute('INSERT INTO runtimestate (id, "offset", frozen_at, boots) VALUES (1, ?, NULL, 0)',
                     (latest - now,))


def baseline(conn: sqlite3.Connection) -> None:
    """Version 1, the schema of commit 45cb85d: brings any earlier database up to it."""
    add_missing_columns(conn)
    restore_unsaved_clock(conn)


def fixture_ledger(conn: sqlite3.Connection) -> None:
    """Version 2: which accounts the fixture files own, and the digest of each as last applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS fixtureaccount (account_id TEXT PRIMARY KEY, "
                 "provider TEXT NOT NULL, digest TEXT NOT NULL)")


def api_key_hashes(conn: sqlite3.Connection) -> None:
    """Version 3: apikey.key_hash, so a key is looked up by its hash and compared in constant time."""
    if "key_hash" not in columns(conn, "apikey"):
        conn.execute("ALTER TABLE apikey ADD COLUMN key_hash TEXT")
    rows = conn.execute("SELECT id, key FROM apikey WHERE key_hash IS NULL").fetchall()
    conn.executemany("UPDATE apikey SET key_hash = ? WHERE id = ?",
                     [(hashlib.sha256(k.encode("utf-8", "surrogatepass")).hexdigest(), i) for i, k in rows])
    conn.execute("CREATE INDEX IF NOT EXISTS ix_apikey_hash ON apikey(provider, key_hash)")


def shared_state(conn: sqlite3.Connection) -> None:
    """Version 5: runtimestate.version (replicas re-read a moved clock); ratebucket and feedevent come
    from create_all (new tables)."""
    if "version" not in columns(conn, "runtimestate"):
        conn.execute("ALTER TABLE runtimestate ADD COLUMN version INTEGER NOT NULL DEFAULT 0")


MIGRATIONS: list[Migration] = [
    Migration(1, "baseline (45cb85d): columns earlier releases lack; a clock they never saved", baseline),
    Migration(2, "fixtureaccount: fixture-owned accounts and their applied digests", fixture_ledger),
    Migration(3, "apikey.key_hash: keys looked up by hash, compared in constant time", api_key_hashes),
    Migration(4, "webhook delivery: delivery id, lane host, lease, signing; attempt send times", upgrade_webhook_outbox),
    Migration(5, "shared state for replicas: runtimestate.version, ratebucket, feedevent", shared_state),
]
LATEST = MIGRATIONS[-1].version


def stored_version(conn: sqlite3.Connection) -> int | None:
    """The database's schema version; None when it predates versioning (or is empty)."""
    if "schemaversion" not in tables(conn):
        return None
    row = conn.execute("SELECT version FROM schemaversion WHERE id = 1").fetchone()
    return None if row is None else int(row[0])


def refuse_newer(conn: sqlite3.Connection, where: str) -> int | None:
    """Before anything touches the schema: a database from a newer release is not opened."""
    version = stored_version(conn)
    if version is not None and version > LATEST:
        raise SchemaTooNew(
            f"{where} has schema version {version}, but this mockserver knows versions up to {LATEST}: it was "
            f"written by a newer release. Run that release (or newer) on it, or point MOCKSERVER_DATABASE_URL "
            f"at another file; it is left untouched."
        )
    return version


def upgrade(conn: sqlite3.Connection, version: int | None) -> list[int]:
    """Run every step above `version` (all of them for a fresh or pre-versioning database), each in
    the caller's transaction, and record the new version. Returns the versions applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS schemaversion (id INTEGER PRIMARY KEY CHECK (id = 1), "
                 "version INTEGER NOT NULL)")
    applied = []
    for step in MIGRATIONS:
        if version is None or step.version > version:
            step.apply(conn)
            applied.append(step.version)
    conn.execute("INSERT INTO schemaversion (id, version) VALUES (1, ?) "
                 "ON CONFLICT (id) DO UPDATE SET version = excluded.version", (LATEST,))
    return applied


def _dialect(conn):
    """SQLAlchemy's dialect for this connection, to spell a model's column type in ALTER TABLE."""
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.dialect()
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
