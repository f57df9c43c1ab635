"""The persisted runtime state (one row): clock offset or frozen time, and the boot counter."""

from __future__ import annotations

import sqlite3

# "offset" is quoted: a reserved word in PostgreSQL (SQLite accepts the quotes too).
_ENSURE = 'INSERT INTO runtimestate (id, "offset", frozen_at, boots) VALUES (1, 0, NULL, 0) ON CONFLICT (id) DO NOTHING'


def load_clock(conn: sqlite3.Connection) -> tuple[float, float | None] | None:
    row = conn.execute('SELECT "offset", frozen_at, boots FROM runtimestate WHERE id = 1').fetchone()
    return None if row is None else (row[0], row[1])


def save_clock(conn: sqlite3.Connection, offset: float, frozen_at: float | None) -> None:
    conn.execute(_ENSURE)
    conn.execute('UPDATE runtimestate SET "offset" = ?, frozen_at = ? WHERE id = 1', (offset, frozen_at))


def count_boot(conn: sqlite3.Connection) -> int:
    """Add one start of this database; returns the new count (1 on a fresh database)."""
    conn.execute(_ENSURE)
    conn.execute("UPDATE runtimestate SET boots = boots + 1 WHERE id = 1")
    return conn.execute("SELECT boots FROM runtimestate WHERE id = 1").fetchone()[0]


# -- shared between replicas (core/shared.py): every clock change bumps `version` ---------------------
def clock_version(conn: sqlite3.Connection) -> int:
    """The cheap per-request read: one primary-key row, one integer."""
    row = conn.execute("SELECT version FROM runtimestate WHERE id = 1").fetchone()
    return 0 if row is None else int(row[0])


def load_versioned_clock(conn: sqlite3.Connection) -> tuple[float, float | None, int] | None:
    row = conn.execute("SELECT \"offset\", frozen_at, version FROM runtimestate WHERE id = 1").fetchone()
    return None if row is None else (row[0], row[1], int(row[2]))


def save_versioned_clock(conn: sqlite3.Connection, offset: float, frozen_at: float | None) -> int:
    """Store a new clock and bump its version (inside the caller's write transaction, which read the row
    first); returns the new version."""
    conn.execute(_ENSURE)
    conn.execute("UPDATE runtimestate SET \"offset\" = ?, frozen_at = ?, version = version + 1 WHERE id = 1",
                 (offset, frozen_at))
    return clock_version(conn)


def lock_clock(conn: sqlite3.Connection) -> None:
    """Take the clock row's write lock before reading it (a no-op UPDATE): on SQLite the write
    transaction already holds the file lock; on PostgreSQL this is the row lock."""
    conn.execute(_ENSURE)
    conn.execute("UPDATE runtimestate SET version = version WHERE id = 1")
