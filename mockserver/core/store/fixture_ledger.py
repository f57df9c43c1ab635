"""Which accounts the fixture files own, with the digest of each entry as last applied (the table of
migration 2), and the key updates a changed fixture entry needs."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlalchemy import bindparam, column, delete, select, table, update as sa_update

from mockserver.core.db.functions import json_array_rows
from mockserver.core.db.sql import Statement, run
from mockserver.core.models import ApiKey
from mockserver.core.store import accounts
from mockserver.core.store.rows import update

#: Made by migration 2, not by a model.
_f = table("fixtureaccount", column("account_id"), column("provider"), column("digest"))
_k = ApiKey.__table__

_DIGESTS = Statement(select(_f.c.account_id, _f.c.digest))
_DIGESTS_OF = Statement(select(_f.c.account_id, _f.c.digest).where(_f.c.provider == bindparam("provider")))


def _record(d: Any) -> Any:
    stmt = d.insert(_f).values(account_id=bindparam("account_id"), provider=bindparam("provider"),
                               digest=bindparam("digest"))
    return stmt.on_conflict_do_update(index_elements=["account_id"],
                                      set_={"provider": stmt.excluded.provider, "digest": stmt.excluded.digest})


_RECORD = Statement(_record)
_FORGET = Statement(delete(_f).where(_f.c.account_id == bindparam("account_id")))
_RETIRE = Statement(lambda d: sa_update(_k).values(status="revoked").where(
    _k.c.account_id == bindparam("account_id"), _k.c.key.not_in(select(json_array_rows(d, "keep").c.value))))

#: The key status of a retired fixture account (any status but "active" refuses the key).
RETIRED = "retired"


def digests(conn: sqlite3.Connection, provider: str | None = None) -> dict[str, str]:
    if provider:
        rows = run(conn, _DIGESTS_OF, {"provider": provider})
    else:
        rows = run(conn, _DIGESTS)
    return {r[0]: r[1] for r in rows}


def record(conn: sqlite3.Connection, account_id: str, provider: str, digest: str) -> None:
    run(conn, _RECORD, {"account_id": account_id, "provider": provider, "digest": digest})


def forget(conn: sqlite3.Connection, account_id: str) -> None:
    run(conn, _FORGET, {"account_id": account_id})


def update_key(conn: sqlite3.Connection, provider: str, key: str, values: dict[str, Any]) -> int:
    return update(conn, "apikey", {"provider": provider, "key": key}, values)


def retire_keys(conn: sqlite3.Connection, account_id: str, keep: list[str]) -> None:
    """Keys of a fixture account that its entry no longer lists are revoked (not deleted: messages and
    idempotent replays still name them)."""
    run(conn, _RETIRE, {"account_id": account_id, "keep": json.dumps(list(keep))})


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
