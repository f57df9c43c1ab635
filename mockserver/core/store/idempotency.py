"""Stored responses for idempotency keys, replayed within their retention window."""

from __future__ import annotations

import sqlite3

from mockserver.core.models import Idempotency
from mockserver.core.store.rows import to_model


def find(conn: sqlite3.Connection, provider: str, owner: str, key: str, not_before: float) -> Idempotency | None:
    row = conn.execute(
        "SELECT * FROM idempotency WHERE provider = ? AND key_owner = ? AND idem_key = ? AND created_at >= ?",
        (provider, owner, key, not_before),
    ).fetchone()
    return to_model(Idempotency, row)


def save(conn: sqlite3.Connection, record: Idempotency) -> None:
    conn.execute(
        "INSERT INTO idempotency (provider, key_owner, idem_key, status_code, body, headers, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider, key_owner, idem_key) DO UPDATE SET "
        "status_code = excluded.status_code, body = excluded.body, headers = excluded.headers, "
        "created_at = excluded.created_at",
        (record.provider, record.key_owner, record.idem_key, record.status_code, record.body, record.headers,
         record.created_at),
    )



# -- claims: one request per key across processes (replicas) -----------------------------------------
#: status_code of a claimed key whose response is not stored yet (its request is still running).
IN_FLIGHT = 0


def claim(conn: sqlite3.Connection, provider: str, owner: str, key: str, now: float, not_before: float) -> bool:
    """Take the key for one request: True when this caller must run it. A row older than the window
    (`not_before`) is taken over; a fresh one (answered or in flight) belongs to someone else. One
    statement each, so two processes never both get True."""
    cur = conn.execute(
        "INSERT INTO idempotency (provider, key_owner, idem_key, status_code, body, headers, created_at) "
        "VALUES (?, ?, ?, ?, '', '{}', ?) ON CONFLICT (provider, key_owner, idem_key) DO NOTHING",
        (provider, owner, key, IN_FLIGHT, now))
    if cur.rowcount == 1:
        return True
    cur = conn.execute(
        "UPDATE idempotency SET status_code = ?, body = '', created_at = ? "
        "WHERE provider = ? AND key_owner = ? AND idem_key = ? AND created_at < ?",
        (IN_FLIGHT, now, provider, owner, key, not_before))
    return cur.rowcount == 1


def take_over(conn: sqlite3.Connection, provider: str, owner: str, key: str, claimed_at: float, now: float) -> bool:
    """Take a claim whose request never answered (its process died): only if it is still that claim."""
    cur = conn.execute(
        "UPDATE idempotency SET created_at = ? WHERE provider = ? AND key_owner = ? AND idem_key = ? "
        "AND status_code = ? AND created_at = ?", (now, provider, owner, key, IN_FLIGHT, claimed_at))
    return cur.rowcount == 1


def release(conn: sqlite3.Connection, provider: str, owner: str, key: str) -> None:
    """Drop an unanswered claim (the request failed: errors are not replayed)."""
    conn.execute("DELETE FROM idempotency WHERE provider = ? AND key_owner = ? AND idem_key = ? AND status_code = ?",
                 (provider, owner, key, IN_FLIGHT))
