"""Read caches of what every request looks up and rarely changes: API keys, accounts, approved senders.

Each lookup first reads one counter row (`cacheversion`; once per provider request, core/db/reads.py); triggers bump it in the same transaction
as any write to apikey, sender or account (except a credits-only change), whichever process or replica
wrote it, so a revoked key or a changed account is seen on the next request everywhere. Credits are
never served from here: debits stay conditional UPDATEs (store/accounts.charge). Objects handed out are
shared between requests: treat them as read-only.
The triggers are per engine, both spelled out side by side in `_trigger_ddl`.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import column, select, table, text, update

from mockserver.core.db import reads
from mockserver.core.db.sql import Pair, Statement, dialect_of, run, run_once
from mockserver.core.models import Account, ApiKey, Sender
from mockserver.core.store import accounts, catalog, state

if TYPE_CHECKING:
    from mockserver.core.db.sqlite import Database

#: Account columns whose change is NOT an invalidation: the balance moves with every send.
_VOLATILE = {"credits"}

#: The counter is no model (create_all does not make it): `install` creates it on first use.
_cv = table("cacheversion", column("id"), column("n"))
_CREATE = Pair(sqlite="CREATE TABLE IF NOT EXISTS cacheversion (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
               postgresql="CREATE TABLE IF NOT EXISTS cacheversion (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
_SEED = Statement(lambda d: d.insert(_cv).values(id=1, n=0).on_conflict_do_nothing(index_elements=["id"]))
_VERSION = Statement(select(_cv.c.n).where(_cv.c.id == 1))
#: The shared clock's version and the counter in one statement (ReadCache.clock_version).
_WITH_CLOCK = Statement(select(state.VERSION_QUERY.scalar_subquery(), select(_cv.c.n).where(_cv.c.id == 1)
                               .scalar_subquery()))
_BUMP = Statement(update(_cv).where(_cv.c.id == 1).values(n=_cv.c.n + 1))
#: The live account table's column names, second in each row (a migration may add columns).
_ACCOUNT_COLUMNS = Pair(
    sqlite="PRAGMA table_info(account)",
    postgresql="SELECT ordinal_position - 1, column_name FROM information_schema.columns "
               "WHERE table_schema = current_schema() AND table_name = 'account' ORDER BY ordinal_position",
)


def _trigger_ddl(dialect: str, columns: list[str]) -> list[str]:
    """The triggers that bump the counter, each engine's spelled out: SQLite's row triggers, one per
    table and event; on PostgreSQL one trigger function and statement-level triggers (a 2M-row statement
    bumps once)."""
    if dialect == "postgresql":
        quoted = ", ".join(f'"{c}"' for c in columns)
        # The counter is named with the trigger's own schema: a session on another search_path (an admin's
        # DELETE) must bump this schema's counter, not fail to find one.
        return ["CREATE OR REPLACE FUNCTION cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "EXECUTE format('UPDATE %I.cacheversion SET n = n + 1 WHERE id = 1', TG_TABLE_SCHEMA); "
                "RETURN NULL; END $$",
                *(f"CREATE OR REPLACE TRIGGER cache_{table} AFTER INSERT OR DELETE OR UPDATE"
                  f"{f' OF {quoted}' if table == 'account' else ''} ON {table} "
                  f"FOR EACH STATEMENT EXECUTE FUNCTION cache_bump()" for table in ("apikey", "sender", "account"))]
    ddl = []
    for table in ("apikey", "sender", "account"):
        of = f" OF {', '.join(columns)}" if table == "account" else ""
        for event, name in ((f"UPDATE{of}", "upd"), ("INSERT", "ins"), ("DELETE", "del")):
            ddl.append(f"CREATE TRIGGER IF NOT EXISTS cache_{table}_{name} AFTER {event} ON {table} "
                       f"BEGIN UPDATE cacheversion SET n = n + 1 WHERE id = 1; END")
    return ddl


#: The write key (Database.write) of the install's DDL: CREATE ... IF NOT EXISTS is not safe against itself
#: on PostgreSQL (two at once: one fails on the catalog's unique index).
INSTALL_KEY = "read-cache install"


def install(conn: sqlite3.Connection) -> None:
    """The counter row and its triggers (idempotent). Account columns are read from the table, so a
    column added later by a migration invalidates too. On PostgreSQL this runs inside
    Database.write(key=INSTALL_KEY), whose advisory lock keeps replicas starting together from racing on the DDL."""
    run(conn, _CREATE)
    run(conn, _SEED)
    columns = [r[1] for r in run(conn, _ACCOUNT_COLUMNS) if r[1] not in _VOLATILE]
    for ddl in _trigger_ddl(dialect_of(conn), columns):
        run_once(conn, text(ddl))  # text(): SQLAlchemy doubles the % of format() for psycopg


def bump(conn: sqlite3.Connection) -> None:
    """Inside a write no trigger watches (fault rules, core/faults.py): every process's cache reloads on its
    next lookup. The counter must exist first (ReadCache.ready)."""
    run(conn, _BUMP)


def version(conn: sqlite3.Connection) -> int:
    row = run(conn, _VERSION).fetchone()
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
            now = reads.remembered(self, lambda: version(conn))  # once per request (core/db/reads.py)
        except sqlite3.OperationalError:  # the file was replaced under us (no table): reinstall
            self._install(conn)
            now = version(conn)
        entries = self._entries
        if entries.version != now:
            entries = self._entries = _Entries(now)
        return entries.data

    def clock_version(self, conn: sqlite3.Connection) -> int:
        """The shared clock's version (core/shared.py, once per request) and, once the counter exists, the
        counter in the same statement, primed for this request's lookups (core/db/reads.py): on
        PostgreSQL each was a round trip on the event loop, ~1 ms apiece under load."""
        if not self._installed:
            return state.clock_version(conn)
        clock, counter = run(conn, _WITH_CLOCK).fetchone()
        reads.prime(self, -1 if counter is None else int(counter))
        return 0 if clock is None else int(clock)

    def ready(self) -> None:
        """The counter and its triggers exist (once per process): before a write transaction that bumps it."""
        if not self._installed:
            self._install(None)

    def _install(self, conn: sqlite3.Connection | None) -> None:
        db = self._db()
        with self._lock:
            if db is not None:
                with db.write(key=INSTALL_KEY) as wconn:
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
