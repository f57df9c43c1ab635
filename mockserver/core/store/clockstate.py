"""The persisted clock state (one row), so time travel survives a restart."""

from __future__ import annotations

import sqlite3


def load(conn: sqlite3.Connection) -> tuple[float, float | None] | None:
    row = conn.execute("SELECT offset, frozen_at FROM clockstate WHERE id = 1").fetchone()
    return None if row is None else (row[0], row[1])


def save(conn: sqlite3.Connection, offset: float, frozen_at: float | None) -> None:
    conn.execute(
        "INSERT INTO clockstate (id, offset, frozen_at) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET offset = excluded.offset, frozen_at = excluded.frozen_at",
        (offset, frozen_at),
    )
