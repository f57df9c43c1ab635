"""Accounts, API keys and credits. Credit changes are single UPDATEs, so they never race."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from typing import Any

from sqlalchemy import BigInteger, bindparam, column, delete as sa_delete, select, table, update as sa_update

from mockserver.core.db.functions import json_array_rows
from mockserver.core.db.sql import Pair, Statement, run
from mockserver.core.models import (Account, ApiKey, ContactGroup, Event, Idempotency, Inbound, Message,
                                    MessageCount, Recipient, Sender, Template, Webhook, WebhookAttempt)
from mockserver.core.store.rows import insert, to_model, to_models, update

_a = Account.__table__
_k = ApiKey.__table__
#: apikey.key_hash comes from a migration (3), not from the model: named here for the statements that use it.
_key_hash = table("apikey", column("id"), column("key_hash"))

_GET = Statement(select(_a).where(_a.c.id == bindparam("id")))
_OF_PROVIDER = Statement(select(_a).where(_a.c.provider == bindparam("provider")).order_by(_a.c.created_at, _a.c.id))
_ALL = Statement(select(_a).order_by(_a.c.provider, _a.c.created_at, _a.c.id))
_KEY_BY_HASH = Statement(select(_k).where(_k.c.provider == bindparam("provider"),
                                          column("key_hash") == bindparam("key_hash")))
_KEYS_OF = Statement(select(_k).where(_k.c.account_id == bindparam("account_id")).order_by(_k.c.id))
_SET_KEY_HASH = Statement(sa_update(_key_hash).where(_key_hash.c.id == bindparam("id"))
                          .values(key_hash=bindparam("key_hash")))
# BIGINT, as the untyped literal was before: an amount beyond INTEGER's range is simply not covered on
# PostgreSQL, rather than an out-of-range error.
_amount = bindparam("amount", type_=BigInteger)
_DEBIT = Statement(sa_update(_a).where(_a.c.id == bindparam("id")).values(credits=_a.c.credits - _amount))
_DEBIT_COVERED = Statement(sa_update(_a).where(_a.c.id == bindparam("id"), _a.c.credits >= _amount)
                           .values(credits=_a.c.credits - _amount))
_CREDIT = Statement(sa_update(_a).where(_a.c.id == bindparam("id")).values(credits=_a.c.credits + _amount))
_BALANCE = Statement(select(_a.c.credits).where(_a.c.id == bindparam("id")))


def _owned_by(d: Any, owner_column: Any) -> Any:
    """`owner_column IN` the account ids of the JSON array parameter `ids`."""
    return owner_column.in_(select(json_array_rows(d, "ids").c.value))


def _delete_below(child: Any, link: str, parent: Any) -> Statement:
    """Rows of `child` whose `link` names a row of `parent` that one of the accounts owns."""
    return Statement(lambda d: sa_delete(child).where(
        child.c[link].in_(select(parent.c.id).where(_owned_by(d, parent.c.account_id)))))


_i = Idempotency.__table__
# Stored responses belong to API keys; a key string can come back (fixtures reload), its replays must not.
_DELETE_REPLAYS = Statement(lambda d: sa_delete(_i).where(
    _i.c.key_owner.in_(select(_k.c.key).where(_owned_by(d, _k.c.account_id)))))
#: In this order: what hangs off messages and webhooks first, then the accounts' own rows, the account last.
_DELETE_OWNED = (
    *(_delete_below(m.__table__, "message_id", Message.__table__) for m in (Recipient, MessageCount, Event)),
    _delete_below(WebhookAttempt.__table__, "webhook_id", Webhook.__table__),
    *(Statement(lambda d, t=m.__table__: sa_delete(t).where(_owned_by(d, t.c.account_id)))
      for m in (Message, Webhook, Inbound, ApiKey, Sender, Template, ContactGroup)),
    Statement(lambda d: sa_delete(_a).where(_owned_by(d, _a.c.id))),
)


def get(conn: sqlite3.Connection, account_id: str) -> Account | None:
    return to_model(Account, run(conn, _GET, {"id": account_id}).fetchone())


def list_all(conn: sqlite3.Connection, provider: str | None = None) -> list[Account]:
    if provider:
        return to_models(Account, run(conn, _OF_PROVIDER, {"provider": provider}))
    return to_models(Account, run(conn, _ALL))


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
    row = run(conn, _KEY_BY_HASH, {"provider": provider, "key_hash": key_hash(key)}).fetchone()
    if row is None or not hmac.compare_digest(row["key"].encode("utf-8", "surrogatepass"),
                                              key.encode("utf-8", "surrogatepass")):
        return None
    return to_model(ApiKey, row)


def keys_of(conn: sqlite3.Connection, account_id: str) -> list[ApiKey]:
    return to_models(ApiKey, run(conn, _KEYS_OF, {"account_id": account_id}))


def add_key(conn: sqlite3.Connection, key: ApiKey) -> ApiKey:
    if find_key(conn, key.provider, key.key) is None:
        key.id = insert(conn, key)
        run(conn, _SET_KEY_HASH, {"key_hash": key_hash(key.key), "id": key.id})
    return key


def charge(conn: sqlite3.Connection, account_id: str, amount: int, allow_negative: bool = False) -> bool:
    """Take `amount` credits if the balance covers it; False (and nothing taken) otherwise."""
    if amount <= 0:
        return True
    cur = run(conn, _DEBIT if allow_negative else _DEBIT_COVERED, {"amount": amount, "id": account_id})
    return cur.rowcount == 1


def refund(conn: sqlite3.Connection, account_id: str, amount: int) -> None:
    if amount > 0:
        run(conn, _CREDIT, {"amount": amount, "id": account_id})


def balance(conn: sqlite3.Connection, account_id: str) -> int:
    row = run(conn, _BALANCE, {"id": account_id}).fetchone()
    return 0 if row is None else int(row[0])


def delete(conn: sqlite3.Connection, account_ids: list[str]) -> None:
    """Remove accounts and everything they own."""
    if not account_ids:
        return
    ids = {"ids": json.dumps(list(account_ids))}
    run(conn, _DELETE_REPLAYS, ids)
    for statement in _DELETE_OWNED:
        run(conn, statement, ids)


# The JSON array under `key` of the account's extra, as rows: SQLite walks it by path; PostgreSQL takes
# the member (an absent or non-array member gives no rows, as json_each does).
_BY_EXTRA_ITEM = Pair(
    sqlite="SELECT a.* FROM account a, json_each(a.extra, '$.' || :key) j "
           "WHERE a.provider = :provider AND j.value = :value ORDER BY a.created_at, a.id LIMIT 1",
    postgresql="SELECT a.* FROM account a, json_array_elements_text(CASE json_typeof(CAST(a.extra AS json) -> "
               "%(key)s) WHEN 'array' THEN CAST(a.extra AS json) -> %(key)s ELSE '[]' END) AS j(value) "
               "WHERE a.provider = %(provider)s AND j.value = %(value)s ORDER BY a.created_at, a.id LIMIT 1",
)


def find_by_extra_item(conn: sqlite3.Connection, provider: str, key: str, value: str) -> Account | None:
    """The account of `provider` whose extra JSON array `key` holds `value` (e.g. a vendor's plan id)."""
    return to_model(Account, run(conn, _BY_EXTRA_ITEM, {"key": key, "provider": provider, "value": value}).fetchone())
