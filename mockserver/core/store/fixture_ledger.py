"""Which accounts the fixture files own, with the digest of each entry as last applied (the table of
migration 2), and the key updates a changed fixture entry needs."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from mockserver.core.store import accounts
from mockserver.core.store.rows import update

#: The key status of a retired fixture account (any status but "active" refuses the key).
RETIRED = "retired"


def digests(conn: sqlite3.Connection, provider: str | None = None) -> dict[str, str]:
    if provider:
        rows = conn.execute("SELECT account_id, digest FROM fixtureaccount WHERE provider = ?", (provider,))
    else:
        rows = conn.execute("SELECT account_id, digest FROM fixtureaccount")
    return {r[0]: r[1] for r in rows}


def record(conn: sqlite3.Connection, account_id: str, provider: str, digest: str) -> None:
    conn.execute("INSERT INTO fixtureaccount (account_id, provider, digest) VALUES (?, ?, ?) "
                 "ON CONFLICT (account_id) DO UPDATE SET provider = excluded.provider, digest = excluded.digest",
                 (account_id, provider, digest))


def forget(conn: sqlite3.Connection, account_id: str) -> None:
    conn.execute("DELETE FROM fixtureaccount WHERE account_id = ?", (account_id,))


def update_key(conn: sqlite3.Connection, provider: str, key: str, values: dict[str, Any]) -> int:
    return update(conn, "apikey", {"provider": provider, "key": key}, values)


def retire_keys(conn: sqlite3.Connection, account_id: str, keep: list[str]) -> None:
    """Keys of a fixture account that its entry no longer lists are revoked (not deleted: messages and
    idempotent replays still name them)."""
    marks = ",".join("?" for _ in keep) or "''"
    conn.execute(f"UPDATE apikey SET status = 'revoked' WHERE account_id = ? AND key NOT IN ({marks})",
                 (account_id, *keep))


def retire_account(conn: sqlite3.Connection, account_id: str) -> bool:
    """An account the fixture files no longer hold: inactive, marked `"retired": true` in its extra,
    every key refused; it and its messages stay (only /_mock/reset deletes). False if it is gone."""
    account = accounts.get(conn, account_id)
    if account is None:
        return False
    extra = {**json.loads(account.extra or "{}"), "retired": True}
    accounts.set_fields(conn, account_id, is_active=False, extra=json.dumps(extra))
    update(conn, "apikey", {"account_id": account_id}, {"status": RETIRED})
    return True
