"""Savepoints: one unit of work inside a larger write transaction that can fail alone (standard SQL,
the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "unit") -> Iterator[None]:
    """Inside an open transaction: on an exception, undo only what the block wrote, and re-raise."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
        conn.execute(f"RELEASE SAVEPOINT {name}")
        raise
    conn.execute(f"RELEASE SAVEPOINT {name}")
