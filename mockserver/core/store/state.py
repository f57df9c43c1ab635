"""The persisted runtime state (one row): clock offset or frozen time, and the boot counter."""

from __future__ import annotations

import sqlite3

from sqlalchemy import bindparam, null, select, update

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import RuntimeState

_t = RuntimeState.__table__
_ROW = _t.c.id == 1

# ("offset" is a reserved word in PostgreSQL: SQLAlchemy quotes it.)
_ENSURE = Statement(lambda d: d.insert(_t).values(id=1, offset=0, frozen_at=null(), boots=0)
                    .on_conflict_do_nothing(index_elements=["id"]))
_CLOCK = Statement(select(_t.c.offset, _t.c.frozen_at, _t.c.boots).where(_ROW))
_SAVE_CLOCK = Statement(update(_t).where(_ROW).values(offset=bindparam("offset"), frozen_at=bindparam("frozen_at")))
_COUNT_BOOT = Statement(update(_t).where(_ROW).values(boots=_t.c.boots + 1))
_BOOTS = Statement(select(_t.c.boots).where(_ROW))
#: The shared clock's version row read (store/cache.py reads it beside its counter in one statement).
VERSION_QUERY = select(_t.c.version).where(_ROW)
_VERSION = Statement(VERSION_QUERY)
_VERSIONED_CLOCK = Statement(select(_t.c.offset, _t.c.frozen_at, _t.c.version).where(_ROW))
_SAVE_VERSIONED_CLOCK = Statement(update(_t).where(_ROW).values(
    offset=bindparam("offset"), frozen_at=bindparam("frozen_at"), version=_t.c.version + 1))
_LOCK = Statement(update(_t).where(_ROW).values(version=_t.c.version))


def load_clock(conn: sqlite3.Connection) -> tuple[float, float | None] | None:
    row = run(conn, _CLOCK).fetchone()
    return None if row is None else (row[0], row[1])


def save_clock(conn: sqlite3.Connection, offset: float, frozen_at: float | None) -> None:
    run(conn, _ENSURE)
    run(conn, _SAVE_CLOCK, {"offset": offset, "frozen_at": frozen_at})


def count_boot(conn: sqlite3.Connection) -> int:
    """Add one start of this database; returns the new count (1 on a fresh database)."""
    run(conn, _ENSURE)
    run(conn, _COUNT_BOOT)
    return run(conn, _BOOTS).fetchone()[0]


# -- shared between replicas (core/shared.py): every clock change bumps `version` ---------------------
def clock_version(conn: sqlite3.Connection) -> int:
    """The cheap per-request read: one primary-key row, one integer."""
    row = run(conn, _VERSION).fetchone()
    return 0 if row is None else int(row[0])


def load_versioned_clock(conn: sqlite3.Connection) -> tuple[float, float | None, int] | None:
    row = run(conn, _VERSIONED_CLOCK).fetchone()
    return None if row is None else (row[0], row[1], int(row[2]))


def save_versioned_clock(conn: sqlite3.Connection, offset: float, frozen_at: float | None) -> int:
    """Store a new clock and bump its version (inside the caller's write transaction, which read the row
    first); returns the new version."""
    run(conn, _ENSURE)
    run(conn, _SAVE_VERSIONED_CLOCK, {"offset": offset, "frozen_at": frozen_at})
    return clock_version(conn)


def lock_clock(conn: sqlite3.Connection) -> None:
    """Take the clock row's write lock before reading it (a no-op UPDATE): on SQLite the write
    transaction already holds the file lock; on PostgreSQL this is the row lock."""
    run(conn, _ENSURE)
    run(conn, _LOCK)
