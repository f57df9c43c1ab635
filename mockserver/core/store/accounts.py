"""Accounts, API keys and credits. Credit changes are single UPDATEs, so they never race."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from typing import Any

from mockserver.core.models import Account, ApiKey
from mockserver.core.store.rows import dialect, insert, to_model, to_models, update


def get(conn: sqlite3.Connection, account_id: str) -> Account | None:
    return to_model(Account, conn.execute("SELECT * FROM account WHERE id = ?", (account_id,)).fetchone())


def list_all(conn: sqlite3.Connection, provider: str | None = None) -> list[Account]:
    if provider:
        rows = conn.execute("SELECT * FROM account WHERE provider = ? ORDER BY created_at, id", (provider,))
    else:
        rows = conn.execute("SELECT * FROM account ORDER BY provider, created_at, id")
    return to_models(Account, rows)


def create(conn: sqlite3.Connection, account: Account) -> Account:
    insert(conn, account)
    return account


def upsert(conn: sqlite3.Connection, account: Account) -> None:
    """Insert, or leave an existing account as it is (fixtures load idempotently)."""
    if get(conn, account.id) is None:
        insert(conn, account)


def set_fields(conn: sqlite3.Connection, account_id: str, **values: Any) -> int:
    return update(conn, "account", {"id": account_id}, values)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def find_key(conn: sqlite3.Connection, provider: str, key: str) -> ApiKey | None:
    """Looked up by the key's SHA-256 (an index walk on it says nothing about the key), then the key
    itself compared in constant time."""
    row = conn.execute("SELECT * FROM apikey WHERE provider = ? AND key_hash = ?", (provider, key_hash(key))).fetchone()
    if row is None or not hmac.compare_digest(row["key"].encode("utf-8", "surrogatepass"),
                                              key.encode("utf-8", "surrogatepass")):
        return None
    return to_model(ApiKey, row)


def keys_of(conn: sqlite3.Connection, account_id: str) -> list[ApiKey]:
    return to_models(ApiKey, conn.execute("SELECT * FROM apikey WHERE account_id = ? ORDER BY id", (account_id,)))


def add_key(conn: sqlite3.Connection, key: ApiKey) -> ApiKey:
    if find_key(conn, key.provider, key.key) is None:
        key.id = insert(conn, key)
        conn.execute("UPDATE apikey SET key_hash = ? WHERE id = ?", (key_hash(key.key), key.id))
    return key


def charge(conn: sqlite3.Connection, account_id: str, amount: int, allow_negative: bool = False) -> bool:
    """Take `amount` credits if the balance covers it; False (and nothing taken) otherwise."""
    if amount <= 0:
        return True
    if allow_negative:
        cur = conn.execute("UPDATE account SET credits = credits - ? WHERE id = ?", (amount, account_id))
    else:
        cur = conn.execute(
            "UPDATE account SET credits = credits - ? WHERE id = ? AND credits >= ?", (amount, account_id, amount)
        )
    return cur.rowcount == 1


def refund(conn: sqlite3.Connection, account_id: str, amount: int) -> None:
    if amount > 0:
        conn.execute("UPDATE account SET credits = credits + ? WHERE id = ?", (amount, account_id))


def balance(conn: sqlite3.Connection, account_id: str) -> int:
    row = conn.execute("SELECT credits FROM account WHERE id = ?", (account_id,)).fetchone()
    return 0 if row is None else int(row[0])


def delete(conn: sqlite3.Connection, account_ids: list[str]) -> None:
    """Remove accounts and everything they own."""
    if not account_ids:
        return
    marks = ",".join("?" for _ in account_ids)
    # Stored responses belong to API keys; a key string can come back (fixtures reload), its replays must not.
    conn.execute(f"DELETE FROM idempotency WHERE key_owner IN (SELECT key FROM apikey WHERE account_id IN ({marks}))",
                 account_ids)
    msg_ids = f"SELECT id FROM message WHERE account_id IN ({marks})"
    conn.execute(f"DELETE FROM recipient WHERE message_id IN ({msg_ids})", account_ids)
    conn.execute(f"DELETE FROM messagecount WHERE message_id IN ({msg_ids})", account_ids)
    conn.execute(f"DELETE FROM event WHERE message_id IN ({msg_ids})", account_ids)
    conn.execute(
        f"DELETE FROM webhookattempt WHERE webhook_id IN (SELECT id FROM webhook WHERE account_id IN ({marks}))",
        account_ids,
    )
    for table in ("message", "webhook", "inbound", "apikey", "sender", "template", "contactgroup", "account"):
        column = "id" if table == "account" else "account_id"
        conn.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", account_ids)


def find_by_extra_item(conn: sqlite3.Connection, provider: str, key: str, value: str) -> Account | None:
    """The account of `provider` whose extra JSON array `key` holds `value` (e.g. a vendor's plan id)."""
    items = ("json_array_elements_text(CASE json_typeof(CAST(a.extra AS json) -> ?) WHEN 'array' "
             "THEN CAST(a.extra AS json) -> ? ELSE '[]' END) AS j(value)" if dialect(conn) == "postgresql"
             else "json_each(a.extra, '$.' || ?) j")
    args = (key, key, provider, value) if dialect(conn) == "postgresql" else (key, provider, value)
    row = conn.execute(
        f"SELECT a.* FROM account a, {items} WHERE a.provider = ? AND j.value = ? ORDER BY a.created_at, a.id LIMIT 1",
        args,
    ).fetchone()
    return to_model(Account, row)
