"""Whole-store operations for reset: wipe everything, or one provider's rows."""

from __future__ import annotations

import sqlite3

from mockserver.core.store import accounts

_ALL_TABLES = (
    "recipient", "messagecount", "event", "webhookattempt", "webhook", "message", "inbound",
    "idempotency", "apikey", "sender", "template", "contactgroup", "account", "binrequest",
)


def wipe(conn: sqlite3.Connection, provider: str | None = None) -> None:
    if provider is None:
        for table in _ALL_TABLES:
            conn.execute(f"DELETE FROM {table}")
        return
    ids = [r[0] for r in conn.execute("SELECT id FROM account WHERE provider = ?", (provider,))]
    accounts.delete(conn, ids)
    conn.execute("DELETE FROM idempotency WHERE provider = ?", (provider,))
