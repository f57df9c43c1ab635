"""Per-recipient history across an account's messages: newest-first rows for logs, and daily totals.

Recipients join their message by id range (a message's recipients are contiguous), which uses the
primary key instead of a scan on recipient.message_id.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import ColumnElement, Select, bindparam, case, func, literal_column, select

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import Message, Recipient
from mockserver.core.store.inspect import numbered, one_of

_m = Message.__table__.alias("m")
_r = Recipient.__table__.alias("r")
_JOINED = _m.join(_r, _r.c.id.between(_m.c.first_recipient_id, _m.c.last_recipient_id))


@dataclass
class HistoryFilter:
    """Neutral filters over one account's recipients; statuses are neutral Status values."""

    account_id: str
    channels: Iterable[str] = ()
    statuses: Iterable[str] | None = None
    exclude_statuses: Iterable[str] = field(default_factory=tuple)
    text: str | None = None  # substring of the body, the number, the sender or the recipient's public id
    since: float | None = None  # message created_at >= since
    until: float | None = None  # message created_at < until
    include_sandbox: bool = True


Shape = tuple[int, int, int, bool, bool, bool, bool]


def _prepare(flt: HistoryFilter) -> tuple[Shape, dict[str, Any]]:
    """The filter's shape (how many values per list, which filters are on: the key of its cached
    statements) and its parameters."""
    channels, statuses, excluded = (list(v) if v is not None else [] for v in
                                    (flt.channels, flt.statuses, flt.exclude_statuses))
    params = {"account_id": flt.account_id, "since": flt.since, "until": flt.until, **numbered("channel", channels),
              **numbered("status", statuses), **numbered("excluded", excluded)}
    if flt.text:
        params["text"] = f"%{flt.text}%"
    shape = (len(channels), len(statuses), len(excluded), bool(flt.text), flt.since is not None, flt.until is not None,
             flt.include_sandbox)
    return shape, params


def _where(shape: Shape) -> list[ColumnElement]:
    channels, statuses, excluded, text, since, until, include_sandbox = shape
    where = [_m.c.account_id == bindparam("account_id"), _m.c.first_recipient_id.is_not(None)]
    for column, name, n, negate in ((_m.c.channel, "channel", channels, False), (_r.c.status, "status", statuses, False),
                                    (_r.c.status, "excluded", excluded, True)):
        if n:
            where.append(one_of(column, name, n, negate))
    if text:
        # Not escaped: % and _ in the text stay wildcards, as they always were here. ilike: SQLite's LIKE
        # already ignores ASCII case, PostgreSQL's ILIKE does the same.
        pattern = bindparam("text")
        where.append(_m.c.body.ilike(pattern) | _r.c.msisdn.ilike(pattern) | _m.c.sender.ilike(pattern)
                     | _r.c.public_id.ilike(pattern))
    if since:
        where.append(_m.c.created_at >= bindparam("since"))
    if until:
        where.append(_m.c.created_at < bindparam("until"))
    if not include_sandbox:
        where.append(_m.c.sandbox == literal_column("0"))
    return where


@lru_cache(maxsize=128)
def _rows_statement(shape: Shape) -> Statement:
    return Statement(select(_r.c.id.label("recipient_id"), _r.c.msisdn, _r.c.status, _r.c.sent_at, _r.c.done_at,
                            _m.c.public_id, _m.c.channel, _m.c.sender, _m.c.body, _m.c.parts, _m.c.created_at,
                            _m.c.sandbox)
                     .select_from(_JOINED).where(*_where(shape)).order_by(_r.c.id.desc())
                     .limit(bindparam("limit")).offset(bindparam("offset")))


def recipient_rows(conn: sqlite3.Connection, flt: HistoryFilter, limit: int, offset: int = 0) -> list[sqlite3.Row]:
    """Rows (recipient_id, msisdn, status, sent_at, done_at, public_id, channel, sender, body, parts,
    created_at, sandbox), newest recipient first."""
    shape, params = _prepare(flt)
    return run(conn, _rows_statement(shape), {**params, "limit": limit, "offset": offset}).fetchall()


def _day(dialect: Any) -> ColumnElement:
    """The UTC calendar day (YYYY-MM-DD) of m.created_at shifted by the :utc_offset parameter, in each
    dialect's words."""
    at = _m.c.created_at + bindparam("utc_offset", type_=_m.c.created_at.type)
    if dialect.__name__.endswith("postgresql"):
        return func.to_char(func.timezone(literal_column("'UTC'"), func.to_timestamp(at)), literal_column("'YYYY-MM-DD'"))
    return func.date(at, literal_column("'unixepoch'"))


@lru_cache(maxsize=128)
def _daily_statement(shape: Shape, ok: int, failed: int) -> Statement:
    one, zero, day = literal_column("1"), literal_column("0"), literal_column("day")

    def build(dialect: Any) -> Select:
        # CASE, not sum(boolean): PostgreSQL does not add booleans
        return (select(_day(dialect).label("day"), func.count().label("total"),
                       func.sum(case((one_of(_r.c.status, "ok", ok), one), else_=zero)).label("ok"),
                       func.sum(case((one_of(_r.c.status, "failed", failed), one), else_=zero)).label("failed"),
                       func.sum(case((one_of(_r.c.status, "failed", failed), zero), else_=_m.c.parts)).label("parts"))
                .select_from(_JOINED).where(*_where(shape)).group_by(day).order_by(day.desc()))
    return Statement(build)


def daily_totals(conn: sqlite3.Connection, flt: HistoryFilter, ok_statuses: Iterable[str],
                 failed_statuses: Iterable[str], utc_offset: float = 0.0) -> list[sqlite3.Row]:
    """Per day (at `utc_offset` seconds from UTC), newest first: day, total, ok, failed, parts.

    `parts` sums message parts over recipients not in `failed_statuses` (what was charged)."""
    ok, failed = list(ok_statuses), list(failed_statuses)
    shape, params = _prepare(flt)
    params.update(utc_offset=utc_offset, **numbered("ok", ok), **numbered("failed", failed))
    return run(conn, _daily_statement(shape, len(ok), len(failed)), params).fetchall()
