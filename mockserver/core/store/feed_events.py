"""The live feed as rows (core/feed/relay.py): appended by each replica, read from a cursor by all."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from sqlalchemy import bindparam, delete, func, insert, select

from mockserver.core.db.sql import Statement, run, run_many
from mockserver.core.models import FeedEventRow

_t = FeedEventRow.__table__

# inline(): no RETURNING of the new id on PostgreSQL (ids are read back by `after`).
_APPEND = Statement(insert(_t).values(kind=bindparam("kind"), data=bindparam("data"), at=bindparam("at")).inline())
_AFTER = Statement(select(_t.c.id, _t.c.kind, _t.c.data, _t.c.at).where(_t.c.id > bindparam("cursor"))
                   .order_by(_t.c.id).limit(bindparam("limit")))
_LAST_ID = Statement(select(func.max(_t.c.id)))
_PRUNE = Statement(delete(_t).where(_t.c.id <= bindparam("upto")))


def append_many(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, float]]) -> None:
    """(kind, data JSON, wall-clock at) rows; ids come from the database, in commit order on SQLite."""
    run_many(conn, _APPEND, [{"kind": kind, "data": data, "at": at} for kind, data, at in rows])


def after(conn: sqlite3.Connection, cursor: int, limit: int = 2000) -> list[tuple[int, str, str, float]]:
    """Rows with id > cursor, oldest first: (id, kind, data JSON, at)."""
    return [tuple(r) for r in run(conn, _AFTER, {"cursor": cursor, "limit": limit})]


def last_id(conn: sqlite3.Connection) -> int:
    row = run(conn, _LAST_ID).fetchone()
    return int(row[0] or 0)


def prune(conn: sqlite3.Connection, keep: int) -> None:
    """Drop all but the newest `keep` rows (never the newest: ids keep growing)."""
    newest = last_id(conn)
    if newest > keep:
        run(conn, _PRUNE, {"upto": newest - keep})
