"""The message event timeline: one row per state change (per recipient for tracked messages)."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from mockserver.core.models import Event
from mockserver.core.store.rows import to_models


def add(conn: sqlite3.Connection, message_id: int, recipient_id: int | None, status: str, at: float, detail: str = "") -> None:
    conn.execute(
        "INSERT INTO event (message_id, recipient_id, status, at, detail) VALUES (?, ?, ?, ?, ?)",
        (message_id, recipient_id, status, at, detail),
    )


def add_many(conn: sqlite3.Connection, rows: Iterable[tuple[int, int | None, str, float, str]]) -> None:
    conn.executemany("INSERT INTO event (message_id, recipient_id, status, at, detail) VALUES (?, ?, ?, ?, ?)", rows)


def add_for_range(conn: sqlite3.Connection, message_id: int, lo: int, hi: int, at: float) -> None:
    conn.execute(
        "INSERT INTO event (message_id, recipient_id, status, at, detail) "
        "SELECT message_id, id, status, ?, '' FROM recipient WHERE id BETWEEN ? AND ?",
        (at, lo, hi),
    )


def of_message(conn: sqlite3.Connection, message_id: int, limit: int = 1000) -> list[Event]:
    rows = conn.execute("SELECT * FROM event WHERE message_id = ? ORDER BY at, id LIMIT ?", (message_id, limit))
    return to_models(Event, rows)
