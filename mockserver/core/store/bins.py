"""Request bins: requests caught at /_mock/bins/{bin}, newest first, bounded per bin (oldest pruned), and
each bin's rule for how it answers (binrule: a status, latency, body, or failing its first N requests)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import bindparam, delete, func, select

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import BinRequest, BinRule
from mockserver.core.store.rows import insert, to_model, to_models

_t = BinRequest.__table__

_PRUNE = Statement(delete(_t).where(
    _t.c.bin == bindparam("bin"),
    _t.c.id <= select(_t.c.id).where(_t.c.bin == bindparam("bin"))
    .order_by(_t.c.id.desc()).limit(1).offset(bindparam("keep")).scalar_subquery()))
_NEWEST = Statement(select(_t).where(_t.c.bin == bindparam("bin")).order_by(_t.c.id.desc()).limit(bindparam("limit")))
_NEWEST_BEFORE = Statement(select(_t).where(_t.c.bin == bindparam("bin"), _t.c.id < bindparam("before"))
                           .order_by(_t.c.id.desc()).limit(bindparam("limit")))
_SUMMARY = Statement(select(_t.c.bin, func.count(), func.max(_t.c.id)).group_by(_t.c.bin)
                     .order_by(func.max(_t.c.id).desc()).limit(bindparam("limit")))
_CLEAR_ONE = Statement(delete(_t).where(_t.c.bin == bindparam("bin")))
_CLEAR_ALL = Statement(delete(_t))
_HAS = Statement(select(_t.c.id).where(_t.c.bin == bindparam("bin")).limit(1))
_BIN_COUNT = Statement(select(func.count(func.distinct(_t.c.bin))))
_ORDINAL = Statement(select(func.count()).where(_t.c.bin == bindparam("bin"), _t.c.id <= bindparam("id")))

_r = BinRule.__table__
_RULE = Statement(select(_r).where(_r.c.bin == bindparam("bin")))
_RULE_DROP = Statement(delete(_r).where(_r.c.bin == bindparam("bin")))
_RULES = Statement(select(_r).order_by(_r.c.bin))


def add(conn: sqlite3.Connection, req: BinRequest, keep: int) -> BinRequest:
    """Store a request, then drop the bin's oldest beyond `keep` (so one chatty bin cannot fill the disk)."""
    req.id = insert(conn, req)
    run(conn, _PRUNE, {"bin": req.bin, "keep": keep})
    return req


def newest(conn: sqlite3.Connection, bin_name: str, before_id: int | None, limit: int) -> list[BinRequest]:
    """A bin's requests newest first; `before_id` is the keyset cursor (ids below it)."""
    if before_id is None:
        return to_models(BinRequest, run(conn, _NEWEST, {"bin": bin_name, "limit": limit}))
    return to_models(BinRequest, run(conn, _NEWEST_BEFORE, {"bin": bin_name, "before": before_id, "limit": limit}))


def summary(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int, int]]:
    """(bin, request count, newest id) for every bin, most recently used first."""
    return [(r[0], r[1], r[2]) for r in run(conn, _SUMMARY, {"limit": limit})]


def clear(conn: sqlite3.Connection, bin_name: str | None = None) -> int:
    """Empty one bin, or every bin; returns how many requests went."""
    if bin_name is None:
        return run(conn, _CLEAR_ALL).rowcount
    return run(conn, _CLEAR_ONE, {"bin": bin_name}).rowcount


def exists(conn: sqlite3.Connection, bin_name: str) -> bool:
    """Whether the bin holds any request."""
    return run(conn, _HAS, {"bin": bin_name}).fetchone() is not None


def count_bins(conn: sqlite3.Connection) -> int:
    """How many bins hold requests."""
    return int(run(conn, _BIN_COUNT).fetchone()[0])


def ordinal(conn: sqlite3.Connection, req: BinRequest) -> int:
    """The stored request's place in its bin, oldest first (1 for the first one kept)."""
    return int(run(conn, _ORDINAL, {"bin": req.bin, "id": req.id}).fetchone()[0])


def rule(conn: sqlite3.Connection, bin_name: str) -> BinRule | None:
    """How the bin answers; None: the usual 200."""
    return to_model(BinRule, run(conn, _RULE, {"bin": bin_name}).fetchone())


def rules(conn: sqlite3.Connection) -> list[BinRule]:
    return to_models(BinRule, run(conn, _RULES))


def set_rule(conn: sqlite3.Connection, new: BinRule) -> BinRule:
    """Replace the bin's rule (a delete and an insert: the same on both engines, in the caller's transaction)."""
    run(conn, _RULE_DROP, {"bin": new.bin})
    insert(conn, new)
    return new
