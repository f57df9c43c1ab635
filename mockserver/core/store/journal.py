"""The request journal's rows (core/journal.py fills it): batched inserts, pruning to a bound, and the
filtered, newest-first reads of /_mock/requests and the inbox's Requests page."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import bindparam, delete, func, insert, select

from mockserver.core.db.sql import Statement, run, run_many, run_once
from mockserver.core.models import JournalEntry
from mockserver.core.store.rows import to_model, to_models

_t = JournalEntry.__table__
COLUMNS = tuple(c.name for c in _t.columns if c.name != "id")

_INSERT = Statement(insert(_t).values({c: bindparam(c) for c in COLUMNS}))
# The newest `keep` ids: ids only grow (a reset does not restart them) and a batch takes consecutive ones,
# so everything at or below max(id) - keep is older than the newest `keep` (fewer are kept only after a
# provider's entries were cleared from the middle). An OFFSET of `keep` would walk 10,000 index entries
# at every batch; this reads one end of the index.
_PRUNE = Statement(delete(_t).where(_t.c.id <= select(func.max(_t.c.id)).scalar_subquery() - bindparam("keep")))
_ONE = Statement(select(_t).where(_t.c.id == bindparam("id")))
_CLEAR_ALL = Statement(delete(_t))
_CLEAR_PROVIDER = Statement(delete(_t).where(_t.c.provider == bindparam("provider")))


@dataclass
class JournalQuery:
    """Filters of /_mock/requests; None means any. `status_min`/`status_max` bound the status (a class)."""

    provider: str | None = None
    account_id: str | None = None
    status_min: int | None = None
    status_max: int | None = None
    path: str | None = None  # a substring of the path
    message_id: int | None = None  # the requests that created this message
    since: float | None = None  # sandbox clock
    before_id: int | None = None  # the keyset cursor


def add_many(conn: sqlite3.Connection, rows: list[Mapping[str, Any]], keep: int) -> None:
    """Store a batch of entries, then drop all but the newest `keep`."""
    if rows:
        run_many(conn, _INSERT, rows)
        run(conn, _PRUNE, {"keep": keep})


def get(conn: sqlite3.Connection, entry_id: int) -> JournalEntry | None:
    return to_model(JournalEntry, run(conn, _ONE, {"id": entry_id}).fetchone())


def newest(conn: sqlite3.Connection, q: JournalQuery, limit: int) -> list[JournalEntry]:
    """Entries matching `q`, newest first (the filters present decide the statement's shape)."""
    where, params = [], {"limit": limit}
    checks = (("provider", q.provider, _t.c.provider == bindparam("provider")),
              ("account_id", q.account_id, _t.c.account_id == bindparam("account_id")),
              ("status_min", q.status_min, _t.c.status >= bindparam("status_min")),
              ("status_max", q.status_max, _t.c.status <= bindparam("status_max")),
              ("path", f"%{q.path}%" if q.path else None, _t.c.path.like(bindparam("path"))),
              ("message", f"%,{q.message_id},%" if q.message_id is not None else None,
               _t.c.message_ids.like(bindparam("message"))),
              ("since", q.since, _t.c.at >= bindparam("since")),
              ("before", q.before_id, _t.c.id < bindparam("before")))
    for name, value, clause in checks:
        if value is not None:
            where.append(clause)
            params[name] = value
    construct = select(_t).where(*where).order_by(_t.c.id.desc()).limit(bindparam("limit"))
    return to_models(JournalEntry, run_once(conn, construct, params))


def clear(conn: sqlite3.Connection, provider: str | None = None) -> int:
    """Forget every entry, or one provider's; returns how many went."""
    if provider is None:
        return run(conn, _CLEAR_ALL).rowcount
    return run(conn, _CLEAR_PROVIDER, {"provider": provider}).rowcount
