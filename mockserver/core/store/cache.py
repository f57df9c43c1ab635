"""Read caches of what every request looks up and rarely changes: API keys, accounts, approved senders.

Each lookup first reads one counter row (`cacheversion`, ~3 us); triggers bump it in the same transaction
as any write to apikey, sender or account (except a credits-only change), whichever process or replica
wrote it, so a revoked key or a changed account is seen on the next request everywhere. Credits are
never served from here: debits stay conditional UPDATEs (store/accounts.charge). Objects handed out are
shared between requests: treat them as read-only.
The triggers are per engine: `install` (SQLite) and its twin `_install_postgresql` beside it.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from mockserver.core.models import Account, ApiKey, Sender
from mockserver.core.store import accounts, catalog
from mockserver.core.store.rows import dialect

if TYPE_CHECKING:
    from mockserver.core.db.sqlite import Database

#: Account columns whose change is NOT an invalidation: the balance moves with every send.
_VOLATILE = {"credits"}
_BUMP = "UPDATE cacheversion SET n = n + 1 WHERE id = 1"


def install(conn: sqlite3.Connection) -> None:
    """The counter row and its triggers (idempotent). Account columns are read from the table, so a
    column added later by a migration invalidates too."""
    conn.execute("CREATE TABLE IF NOT EXISTS cacheversion (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    conn.execute("INSERT INTO cacheversion (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(account)") if r[1] not in _VOLATILE]
    if dialect(conn) == "postgresql":
        return _install_postgresql(conn, columns)
    for table in ("apikey", "sender", "account"):
        of = f" OF {', '.join(columns)}" if table == "account" else ""
        for event, name in ((f"UPDATE{of}", "upd"), ("INSERT", "ins"), ("DELETE", "del")):
            conn.execute(f"CREATE TRIGGER IF NOT EXISTS cache_{table}_{name} AFTER {event} ON {table} "
                         f"BEGIN {_BUMP}; END")


def _install_postgresql(conn: Any, columns: list[str]) -> None:
    """The same bumps on PostgreSQL: one trigger function, statement-level triggers (a 2M-row statement
    bumps once). Runs inside Database.write(), whose advisory lock keeps replicas starting together from
    racing on the DDL."""
    # The counter is named with the trigger's own schema: a session on another search_path (an admin's
    # DELETE) must bump this schema's counter, not fail to find one.
    conn.execute("CREATE OR REPLACE FUNCTION cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 "EXECUTE format('UPDATE %I.cacheversion SET n = n + 1 WHERE id = 1', TG_TABLE_SCHEMA); "
                 "RETURN NULL; END $$")
    quoted = ", ".join(f'"{c}"' for c in columns)
    for table in ("apikey", "sender", "account"):
        of = f" OF {quoted}" if table == "account" else ""
        conn.execute(f"CREATE OR REPLACE TRIGGER cache_{table} AFTER INSERT OR DELETE OR UPDATE{of} ON {table} "
                     f"FOR EACH STATEMENT EXECUTE FUNCTION cache_bump()")


def version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT n FROM cacheversion WHERE id = 1").fetchone()
    return -1 if row is None else int(row[0])


@dataclass
class _Entries:
    version: int = -2
    data: dict = field(default_factory=dict)


class ReadCache:
    """One Database's cache; safe from any thread (a stale version swaps in a new dict, never mutates one
    another thread may still be filling)."""

    def __init__(self, db: Database) -> None:
        self._db = weakref.ref(db)
        self._entries = _Entries()
        self._installed = False
        self._lock = threading.Lock()

    def _fresh(self, conn: sqlite3.Connection) -> dict:
        if not self._installed:
            self._install(conn)
        try:
            now = version(conn)
        except sqlite3.OperationalError:  # the file was replaced under us (no table): reinstall
            self._install(conn)
            now = version(conn)
        entries = self._entries
        if entries.version != now:
            entries = self._entries = _Entries(now)
        return entries.data

    def _install(self, conn: sqlite3.Connection) -> None:
        db = self._db()
        with self._lock:
            if db is not None:
                with db.write() as wconn:
                    install(wconn)
            self._installed = True

    def get(self, conn: sqlite3.Connection, key: tuple, load: Callable[[], Any], keep_none: bool = True) -> Any:
        if conn.in_transaction:  # may see its own uncommitted (or later rolled back) writes: never cache them
            return load()
        data = self._fresh(conn)
        try:
            return data[key]
        except KeyError:
            value = load()
            if value is not None or keep_none:
                data[key] = value
            return value


_CACHES: weakref.WeakKeyDictionary[Database, ReadCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def of(db: Database) -> ReadCache:
    with _CACHES_LOCK:
        found = _CACHES.get(db)
        if found is None:
            found = _CACHES[db] = ReadCache(db)
        return found


def find_key(db: Database, provider: str, raw: str) -> ApiKey | None:
    """accounts.find_key, cached when found (an unknown key is looked up each time: it may be provisioned)."""
    conn = db.conn()
    cache = of(db)
    # A miss is not kept: the key may be provisioned (or inserted by another replica) at any moment.
    return cache.get(conn, ("key", provider, raw), lambda: accounts.find_key(conn, provider, raw), keep_none=False)


def account(db: Database, account_id: str) -> Account | None:
    """accounts.get, cached; its `credits` may be stale: read balances with accounts.balance."""
    conn = db.conn()
    return of(db).get(conn, ("account", account_id), lambda: accounts.get(conn, account_id))


def senders(db: Database, account_id: str, status: str | None = None) -> list[Sender]:
    """catalog.senders_of, cached (a tuple: callers cannot grow the shared list)."""
    conn = db.conn()
    return of(db).get(conn, ("senders", account_id, status), lambda: tuple(catalog.senders_of(conn, account_id, status)))
