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
