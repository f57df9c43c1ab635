"""Whole-store operations for reset: wipe everything, or one provider's rows."""

from __future__ import annotations

import sqlite3

from sqlalchemy import bindparam, column, delete, false, func, literal_column, select, table

from mockserver.core.db.sql import Statement, dialect_of, run
from mockserver.core.models import Account, Idempotency
from mockserver.core.store import accounts
from mockserver.core.store.rows import table_of

_ALL_TABLES = (
    "recipient", "messagecount", "event", "webhookattempt", "webhook", "message", "inbound",
    "idempotency", "apikey", "sender", "template", "contactgroup", "account", "binrequest", "binrule",
)
_WIPE = tuple(Statement(delete(table_of(name))) for name in _ALL_TABLES)
_a, _i = Account.__table__, Idempotency.__table__
_ACCOUNTS_OF = Statement(select(_a.c.id).where(_a.c.provider == bindparam("provider")))
_REPLAYS_OF = Statement(delete(_i).where(_i.c.provider == bindparam("provider")))

# PostgreSQL's catalog (restart_ids runs there only).
_class = table("pg_class", column("oid"), column("relkind"), column("relname"), column("relnamespace"))
_namespace = table("pg_namespace", column("oid"), column("nspname"))
# Not feedevent's nor journalentry's sequence: their ids are cursors that go on (the live feed is not wiped;
# the journal is cleared apart, and another replica may be writing its batch while the reset runs).
_RESTART_SEQUENCES = Statement(
    select(func.setval(_class.c.oid, literal_column("1"), false()))
    .select_from(_class.join(_namespace, _namespace.c.oid == _class.c.relnamespace))
    .where(_class.c.relkind == "S", _namespace.c.nspname == func.current_schema(),
           _class.c.relname.not_in(("feedevent_id_seq", "journalentry_id_seq"))))


def wipe(conn: sqlite3.Connection, provider: str | None = None) -> None:
    if provider is None:
        for statement in _WIPE:
            run(conn, statement)
        restart_ids(conn)
        return
    ids = [r[0] for r in run(conn, _ACCOUNTS_OF, {"provider": provider})]
    accounts.delete(conn, ids)
    run(conn, _REPLAYS_OF, {"provider": provider})


def restart_ids(conn: sqlite3.Connection) -> None:
    """After a full wipe, numbering starts again at 1 as SQLite's rowid (max + 1) does: PostgreSQL's
    sequences would go on counting."""
    if dialect_of(conn) == "postgresql":
        run(conn, _RESTART_SEQUENCES)
