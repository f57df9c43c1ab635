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

