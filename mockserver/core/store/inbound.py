"""Inbound (MO) messages injected through the control API."""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from sqlalchemy import bindparam, or_, select

from mockserver.core.db.sql import Statement, run, run_once
from mockserver.core.models import Inbound
from mockserver.core.store.rows import insert, to_models

_t = Inbound.__table__


def add(conn: sqlite3.Connection, msg: Inbound) -> Inbound:
    msg.id = insert(conn, msg)
    return msg


@lru_cache(maxsize=8)
def _newest_statement(by_provider: bool, by_account: bool) -> Statement:
    where = [*([_t.c.provider == bindparam("provider")] if by_provider else []),
             *([_t.c.account_id == bindparam("account_id")] if by_account else [])]
    return Statement(select(_t).where(*where).order_by(_t.c.id.desc()).limit(bindparam("limit")))


def list_newest(conn: sqlite3.Connection, provider: str | None = None, account_id: str | None = None, limit: int = 50) -> list[Inbound]:
    """Newest first; an empty provider or account means any."""
    params = {"provider": provider, "account_id": account_id, "limit": limit}
    return to_models(Inbound, run(conn, _newest_statement(bool(provider), bool(account_id)), params))


def in_window(conn: sqlite3.Connection, *, provider: str | None, account_id: str | None, search: str | None,
              after: float | None, until: float | None, limit: int) -> list[Inbound]:
    """For the inbox list (MO rows between the outbound ones of a page's time span). Newest first: received at or after `after` (None: no lower bound) and before `until` (None: now);
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
