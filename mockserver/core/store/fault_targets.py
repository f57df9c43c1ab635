"""The recipient rows a delivery fault rule (core/faults.py) selects and rewrites, on either engine.

One statement per shape (ids or a range, a number pattern or not, what is set), compiled once per
dialect; where the dialects differ (a set of ids, a glob) each spelling is written side by side."""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import BigInteger, ColumnElement, Float, any_, bindparam, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from mockserver.core.db.functions import json_array_rows
from mockserver.core.db.sql import Statement, dialect_of, run
from mockserver.core.models import Recipient

_r = Recipient.__table__
#: What a regex needs escaped to match the character itself (PostgreSQL's ARE: a backslash does it).
_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}")


def _glob_regex(pattern: str) -> str:
    """SQLite's GLOB (* ? [..], case-sensitive) as an anchored POSIX regex for PostgreSQL's ~."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
            i = end
        else:
            out.append("\\" + ch if ch in _REGEX_SPECIAL else ch)
        i += 1
    return "^" + "".join(out) + "$"


def _is_pg(dialect: Any) -> bool:
    return dialect.__name__.endswith("postgresql")


def _where(dialect: Any, by_ids: bool, by_number: bool) -> list[ColumnElement]:
    """By the ids parameter (:ids, a list on PostgreSQL, JSON text on SQLite), else the range :lo..:hi of
    valid recipients, optionally with numbers ('+' ignored) matching :to (a glob; its regex on PostgreSQL)."""
    if by_ids:
        if _is_pg(dialect):
            return [_r.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))]
        ids = json_array_rows(dialect, "ids")
        return [_r.c.id.in_(select(ids.c.value))]
    where = [_r.c.id.between(bindparam("lo"), bindparam("hi")), _r.c.status != literal_column("'invalid'")]
    if by_number:
        number = func.replace(_r.c.msisdn, literal_column("'+'"), literal_column("''"))
        where.append(number.op("~" if _is_pg(dialect) else "GLOB")(bindparam("to")))
    return where


@lru_cache(maxsize=8)
def _matching_statement(by_number: bool) -> Statement:
    return Statement(lambda d: select(_r.c.id).where(*_where(d, False, by_number)).order_by(_r.c.id))


@lru_cache(maxsize=32)
def _rewrite_statement(by_ids: bool, by_number: bool, outcome: bool, delay: bool) -> Statement:
    values: dict[str, Any] = {}
    if outcome:
        values["outcome"] = bindparam("outcome")
    if delay:
        values["next_at"] = _r.c.next_at + bindparam("delay", type_=Float)
    if values:
        return Statement(lambda d: update(_r).where(*_where(d, by_ids, by_number)).values(values))
    return Statement(lambda d: select(func.count()).select_from(_r).where(*_where(d, by_ids, by_number)))


def _params(conn: sqlite3.Connection, lo: int, hi: int, to: str | None, ids: Iterable[int] | None) -> dict[str, Any]:
    if ids is not None:
        ids = sorted(ids)
        return {"ids": ids if dialect_of(conn) == "postgresql" else json.dumps(ids)}
    params: dict[str, Any] = {"lo": lo, "hi": hi}
    if to is not None:
        params["to"] = _glob_regex(to) if dialect_of(conn) == "postgresql" else to
    return params


def matching_ids(conn: sqlite3.Connection, lo: int, hi: int, to: str | None) -> list[int]:
    """Ids of a message's valid recipients (ids in [lo, hi]) whose number matches the glob `to`, in order."""
    return [r[0] for r in run(conn, _matching_statement(to is not None), _params(conn, lo, hi, to, None)).fetchall()]


def rewrite(conn: sqlite3.Connection, lo: int, hi: int, to: str | None, ids: Iterable[int] | None,
            outcome: str | None, delay: float | None) -> int:
    """Set the outcome and/or push back the next step of the selected recipients (`ids` when given,
    else the [lo, hi] range filtered by `to`); returns how many rows the rule touches."""
    statement = _rewrite_statement(ids is not None, ids is None and to is not None, outcome is not None, bool(delay))
    params = {**_params(conn, lo, hi, to, ids), "outcome": outcome, "delay": float(delay) if delay else None}
    if outcome is not None or delay:
        return run(conn, statement, params).rowcount
    return run(conn, statement, params).fetchone()[0]
