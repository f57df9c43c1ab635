"""Savepoints: one unit of work inside a larger write transaction that can fail alone (standard SQL,
the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

from mockserver.core.db import postgres
from mockserver.core.db.sql import dialect_of

#: The savepoint names in use: the scheduler's "unit" and "batch", the group writer's "job".
NAMES = ("unit", "batch", "job")
# Constant texts, not Core statements: SAVEPOINT / ROLLBACK TO / RELEASE take no parameters and are the
# same standard SQL on both dialects, so there is nothing to compile per dialect (Core has no public
# construct for them); run without parameters, no driver rewrites them either.
_TEXTS = {name: (f"SAVEPOINT {name}", f"ROLLBACK TO SAVEPOINT {name}", f"RELEASE SAVEPOINT {name}")
          for name in NAMES}


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "unit") -> Iterator[None]:
    """Inside an open transaction: on an exception, undo only what the block wrote, and re-raise."""
    begin, rollback, release = _TEXTS[name]
    conn.execute(begin)
    try:
        yield
        send_queued = getattr(conn, "send_queued", None)
        if send_queued is not None:  # a batched PostgreSQL transaction: the block's errors surface inside it
            send_queued()
    except BaseException:
        conn.execute(rollback)
        conn.execute(release)
        raise
    conn.execute(release)


def hold_key(conn, key: str) -> None:
    """Inside an open write transaction, for a check-then-insert of a row that does not exist yet when the
    transaction was not opened with Database.write(key) (a group writer's job): other transactions holding
    the same key wait until this one ends. On SQLite one writer runs at a time: nothing to hold."""
    if dialect_of(conn) == "postgresql":
        postgres.hold_key(conn, key)
