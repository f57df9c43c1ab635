"""What arrived after a given point: the inbox's unread count (messages and inbound messages with a newer id)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import bindparam, func, select

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import Inbound, Message

_m, _i = Message.__table__, Inbound.__table__

_NEWER_MESSAGES = Statement(select(func.count()).where(_m.c.id > bindparam("since")))
_NEWER_INBOUND = Statement(select(func.count()).where(_i.c.id > bindparam("since")))
_LATEST = Statement(select(select(func.coalesce(func.max(_m.c.id), 0)).scalar_subquery(),
                           select(func.coalesce(func.max(_i.c.id), 0)).scalar_subquery()))


def latest(conn: sqlite3.Connection) -> tuple[int, int]:
    """(newest message id, newest inbound id), 0 for none."""
    row = run(conn, _LATEST).fetchone()
    return int(row[0]), int(row[1])


def newer_than(conn: sqlite3.Connection, message_id: int, inbound_id: int) -> int:
    """How many messages and inbound messages have ids above the given ones."""
    return (run(conn, _NEWER_MESSAGES, {"since": message_id}).fetchone()[0]
            + run(conn, _NEWER_INBOUND, {"since": inbound_id}).fetchone()[0])
