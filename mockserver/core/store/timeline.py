"""What is due next, across the stored things that move with time (messages, webhooks, reviews): the
questions time travel (core/engine/timetravel.py) asks to walk an advance from one due time to the next."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Integer, bindparam, func, select, type_coerce

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import Message, Sender, Template, Webhook

_m, _w, _t, _s = Message.__table__, Webhook.__table__, Template.__table__, Sender.__table__


def _after(column, *where):
    return Statement(select(func.min(column)).where(column > bindparam("after"), column <= bindparam("until"), *where))


# Only messages that send webhooks are stepped through: the others stamp each recipient's change with its
# own due time anyway (recipients.advance_range), so one tick at the end of the window tells them apart.
_NEXT = (
    _after(_m.c.next_due_at, type_coerce(_m.c.notify, Integer) == 1),
    _after(_w.c.next_attempt_at, _w.c.status == "pending"),
    _after(_t.c.review_at, _t.c.status == "pending"),
    _after(_s.c.review_at, _s.c.status == "pending"),
)
_PENDING = Statement(select(func.count()).select_from(_w).where(_w.c.status == "pending"))


def next_due(conn: sqlite3.Connection, after: float, until: float) -> float | None:
    """The earliest time in (after, until] at which a webhook-sending message moves, a webhook (re)try is
    due or a review ends; None when nothing is due in that window."""
    times = [run(conn, q, {"after": after, "until": until}).fetchone()[0] for q in _NEXT]
    return min((t for t in times if t is not None), default=None)


def pending_webhooks(conn: sqlite3.Connection) -> int:
    """Webhooks not yet delivered nor failed (waiting for a retry, or not answered yet)."""
    return int(run(conn, _PENDING).fetchone()[0])
