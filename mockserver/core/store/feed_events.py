"""The live feed as rows (core/feed/relay.py): appended by each replica, read from a cursor by all."""

from __future__ import annotations

import sqlite3
from typing import Iterable


def append_many(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, float]]) -> None:
    """(kind, data JSON, wall-clock at) rows; ids come from the database, in commit order on SQLite."""
    conn.executemany("INSERT INTO feedevent (kind, data, at) VALUES (?, ?, ?)", list(rows))


def after(conn: sqlite3.Connection, cursor: int, limit: int = 2000) -> list[tuple[int, str, str, float]]:
    """Rows with id > cursor, oldest first: (id, kind, data JSON, at)."""
    return [tuple(r) for r in conn.execute(
        "SELECT id, kind, data, at FROM feedevent WHERE id > ? ORDER BY id LIMIT ?", (cursor, limit))]


def last_id(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT MAX(id) FROM feedevent").fetchone()
    return int(row[0] or 0)


def prune(conn: sqlite3.Connection, keep: int) -> None:
    """Drop all but the newest `keep` rows (never the newest: ids keep growing)."""
    newest = last_id(conn)
    if newest > keep:
        conn.execute("DELETE FROM feedevent WHERE id <= ?", (newest - keep,))
