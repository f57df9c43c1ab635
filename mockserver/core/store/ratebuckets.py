"""Shared token buckets (core/ratelimit.py with several replicas): one atomic upsert per check."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Float, bindparam, case, delete, func

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import RateBucket

_t = RateBucket.__table__
# Typed: an untyped rate would take the INTEGER type of the CASE it multiplies, and a fractional rate
# would be cast to an integer on PostgreSQL.
_now, _rate, _burst = (bindparam(name, type_=Float) for name in ("now", "rate", "burst"))


def _refilled() -> Any:
    """Tokens the bucket holds at :now: refilled at :rate since the last take, capped at :burst; a clock
    that moved back refills nothing."""
    gained = _t.c.tokens + case((_now > _t.c.refilled_at, _now - _t.c.refilled_at), else_=0) * _rate
    return case((gained > _burst, _burst), else_=gained)


def _take(d: Any) -> Any:
    stmt = d.insert(_t).values(key=bindparam("key"), tokens=_burst - 1, refilled_at=_now)
    return stmt.on_conflict_do_update(index_elements=["key"], set_={"tokens": _refilled() - 1, "refilled_at": _now},
                                      where=_refilled() >= 1)


_TAKE = Statement(_take)
# A prefix test, not a key range: PostgreSQL's locale collation ignores control characters in ranges.
_CLEAR = Statement(delete(_t).where(func.substr(_t.c.key, 1, bindparam("length")) == bindparam("prefix")))


def take(conn: sqlite3.Connection, key: str, rate: float, burst: float, now: float) -> bool:
    """Take one token from the bucket `key` (created full); False, and nothing changed, when it has none.
    A single statement, so concurrent checks on different processes never both take the last token."""
    cur = run(conn, _TAKE, {"key": key, "rate": rate, "burst": float(burst), "now": now})
    return cur.rowcount == 1


def clear(conn: sqlite3.Connection, scope: str) -> None:
    """Forget every bucket of one limiter (`<scope>\\x1f<key>`), as a reset of its provider does."""
    prefix = scope + "\x1f"
    run(conn, _CLEAR, {"length": len(prefix), "prefix": prefix})
