"""The recipient rows a delivery fault rule (core/faults.py) selects and rewrites, on either engine."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Iterable

from mockserver.core.store.rows import dialect


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
            out.append(re.escape(ch))
        i += 1
    return "^" + "".join(out) + "$"


def _where(conn: sqlite3.Connection, lo: int, hi: int, to: str | None, ids: Iterable[int] | None) -> tuple[str, list]:
    if ids is not None:
        if dialect(conn) == "postgresql":
            return "id = ANY(?)", [sorted(ids)]
        return "id IN (SELECT value FROM json_each(?))", [json.dumps(sorted(ids))]
    where, args = "id BETWEEN ? AND ? AND status <> 'invalid'", [lo, hi]
    if to is not None:
        if dialect(conn) == "postgresql":
            where += " AND replace(msisdn, '+', '') ~ ?"
            args.append(_glob_regex(to))
        else:
            where += " AND replace(msisdn, '+', '') GLOB ?"
            args.append(to)
    return where, args


def matching_ids(conn: sqlite3.Connection, lo: int, hi: int, to: str | None) -> list[int]:
    """Ids of a message's valid recipients (ids in [lo, hi]) whose number matches the glob `to`, in order."""
    where, args = _where(conn, lo, hi, to, None)
    return [r[0] for r in conn.execute(f"SELECT id FROM recipient WHERE {where} ORDER BY id", args).fetchall()]


def rewrite(conn: sqlite3.Connection, lo: int, hi: int, to: str | None, ids: Iterable[int] | None,
            outcome: str | None, delay: float | None) -> int:
    """Set the outcome and/or push back the next step of the selected recipients (`ids` when given,
    else the [lo, hi] range filtered by `to`); returns how many rows the rule touches."""
    where, args = _where(conn, lo, hi, to, ids)
    sets, set_args = [], []
    if outcome is not None:
        sets.append("outcome = ?"); set_args.append(outcome)
    if delay:
        sets.append("next_at = next_at + ?"); set_args.append(float(delay))
    if sets:
        return conn.execute(f"UPDATE recipient SET {', '.join(sets)} WHERE {where}", [*set_args, *args]).rowcount
    return conn.execute(f"SELECT count(*) FROM recipient WHERE {where}", args).fetchone()[0]
