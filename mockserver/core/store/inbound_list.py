"""Inbound (MO) messages for the inbox list: those received inside the time window of one page of outbound
messages, so the list shows both directions interleaved by time while it pages by message id."""

from __future__ import annotations

import sqlite3

from sqlalchemy import or_, select

from mockserver.core.db.sql import run_once
from mockserver.core.models import Inbound
from mockserver.core.store.rows import to_models

_t = Inbound.__table__


def in_window(conn: sqlite3.Connection, *, provider: str | None, account_id: str | None, search: str | None,
              after: float | None, until: float | None, limit: int) -> list[Inbound]:
    """Newest first: received at or after `after` (None: no lower bound) and before `until` (None: now);
    the search matches the body (case-insensitive), the sender or the recipient."""
    query = select(_t)
    if provider:
        query = query.where(_t.c.provider == provider)
    if account_id:
        query = query.where(_t.c.account_id == account_id)
    if after is not None:
        query = query.where(_t.c.received_at >= after)
    if until is not None:
        query = query.where(_t.c.received_at < until)
    if search:
        query = query.where(or_(_t.c.body.icontains(search, autoescape=True), _t.c.sender == search,
                                _t.c.recipient == search))
    return to_models(Inbound, run_once(conn, query.order_by(_t.c.received_at.desc(), _t.c.id.desc()).limit(limit)))
