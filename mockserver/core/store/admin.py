"""Whole-store operations for reset: wipe everything, or one provider's rows."""

from __future__ import annotations

import sqlite3

from mockserver.core.store import accounts
from mockserver.core.store.rows import dialect

_ALL_TABLES = (
    "recipient", "messagecount", "event", "webhookattempt", "webhook", "message", "inbound",
    "idempotency", "apikey", "sender", "template", "contactgroup", "account", "binrequest", "binrule",
)


def wipe(conn: sqlite3.Connection, provider: str | None = None) -> None:
    if provider is None:
        for table in _ALL_TABLES:
            conn.execute(f"DELETE FROM {table}")
        restart_ids(conn)
        return
    ids = [r[0] for r in conn.execute("SELECT id FROM account WHERE provider = ?", (provider,))]
    accounts.delete(conn, ids)
    conn.execute("DELETE FROM idempotency WHERE provider = ?", (provider,))


def restart_ids(conn: sqlite3.Connection) -> None:
    """After a full wipe, numbering starts again at 1 as SQLite's rowid (max + 1) does: PostgreSQL's
    sequences would go on counting."""
    if dialect(conn) != "postgresql":
        return
    # Not feedevent's sequence: the replicas' live feed is not wiped, its ids are cursors and go on.
    conn.execute("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE c.relkind = 'S' AND n.nspname = current_schema() AND c.relname <> 'feedevent_id_seq'")
