"""Shared token buckets (core/ratelimit.py with several replicas): one atomic upsert per check."""

from __future__ import annotations

import sqlite3

# Tokens the bucket holds at `?now` (parameters: now, now, rate, burst, burst, now, now, rate): refilled
# since the last take, capped at the burst; a clock that moved back refills nothing.
_REFILLED = ("(CASE WHEN ratebucket.tokens + (CASE WHEN ? > ratebucket.refilled_at THEN ? - ratebucket.refilled_at "
             "ELSE 0 END) * ? > ? THEN ? ELSE ratebucket.tokens + (CASE WHEN ? > ratebucket.refilled_at "
             "THEN ? - ratebucket.refilled_at ELSE 0 END) * ? END)")
_TAKE = (f"INSERT INTO ratebucket (key, tokens, refilled_at) VALUES (?, ?, ?) "
         f"ON CONFLICT (key) DO UPDATE SET tokens = {_REFILLED} - 1, refilled_at = ? "
         f"WHERE {_REFILLED} >= 1")


def take(conn: sqlite3.Connection, key: str, rate: float, burst: float, now: float) -> bool:
    """Take one token from the bucket `key` (created full); False, and nothing changed, when it has none.
    A single statement, so concurrent checks on different processes never both take the last token."""
    refilled = (now, now, rate, float(burst), float(burst), now, now, rate)
    cur = conn.execute(_TAKE, (key, float(burst) - 1, now, *refilled, now, *refilled))
    return cur.rowcount == 1


def clear(conn: sqlite3.Connection, scope: str) -> None:
    """Forget every bucket of one limiter (`<scope>\\x1f<key>`), as a reset of its provider does."""
    # A prefix test, not a key range: PostgreSQL's locale collation ignores control characters in ranges.
    prefix = scope + "\x1f"
    conn.execute("DELETE FROM ratebucket WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))
