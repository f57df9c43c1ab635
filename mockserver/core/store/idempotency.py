"""Stored responses for idempotency keys, replayed within their retention window."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import Idempotency
from mockserver.core.store.rows import to_model

_t = Idempotency.__table__
_KEY = ("provider", "key_owner", "idem_key")


def _this_key() -> Any:
    return (_t.c.provider == bindparam("provider")) & (_t.c.key_owner == bindparam("key_owner")) \
        & (_t.c.idem_key == bindparam("idem_key"))


def _save(d: Any) -> Any:
    stmt = d.insert(_t).values({c.name: bindparam(c.name) for c in _t.columns})
    return stmt.on_conflict_do_update(index_elements=list(_KEY), set_={
        name: stmt.excluded[name] for name in ("status_code", "body", "headers", "created_at")})


_FIND = Statement(select(_t).where(_this_key(), _t.c.created_at >= bindparam("not_before")))
_SAVE = Statement(_save)


def find(conn: sqlite3.Connection, provider: str, owner: str, key: str, not_before: float) -> Idempotency | None:
    row = run(conn, _FIND, {"provider": provider, "key_owner": owner, "idem_key": key, "not_before": not_before})
    return to_model(Idempotency, row.fetchone())


def save(conn: sqlite3.Connection, record: Idempotency) -> None:
    run(conn, _SAVE, {"provider": record.provider, "key_owner": record.key_owner, "idem_key": record.idem_key,
                      "status_code": record.status_code, "body": record.body, "headers": record.headers,
                      "created_at": record.created_at})



# -- claims: one request per key across processes (replicas) -----------------------------------------
#: status_code of a claimed key whose response is not stored yet (its request is still running).
IN_FLIGHT = 0

_CLAIM_NEW = Statement(lambda d: d.insert(_t).values(
    provider=bindparam("provider"), key_owner=bindparam("key_owner"), idem_key=bindparam("idem_key"),
    status_code=IN_FLIGHT, body="", headers="{}", created_at=bindparam("now"),
).on_conflict_do_nothing(index_elements=list(_KEY)))
_CLAIM_STALE = Statement(update(_t).where(_this_key(), _t.c.created_at < bindparam("not_before"))
                         .values(status_code=IN_FLIGHT, body="", created_at=bindparam("now")))
_TAKE_OVER = Statement(update(_t).where(_this_key(), _t.c.status_code == IN_FLIGHT,
                                        _t.c.created_at == bindparam("claimed_at"))
                       .values(created_at=bindparam("now")))
_RELEASE = Statement(delete(_t).where(_this_key(), _t.c.status_code == IN_FLIGHT))


def claim(conn: sqlite3.Connection, provider: str, owner: str, key: str, now: float, not_before: float) -> bool:
    """Take the key for one request: True when this caller must run it. A row older than the window
    (`not_before`) is taken over; a fresh one (answered or in flight) belongs to someone else. One
    statement each, so two processes never both get True."""
    params = {"provider": provider, "key_owner": owner, "idem_key": key, "now": now}
    if run(conn, _CLAIM_NEW, params).rowcount == 1:
        return True
    return run(conn, _CLAIM_STALE, {**params, "not_before": not_before}).rowcount == 1


def take_over(conn: sqlite3.Connection, provider: str, owner: str, key: str, claimed_at: float, now: float) -> bool:
    """Take a claim whose request never answered (its process died): only if it is still that claim."""
    cur = run(conn, _TAKE_OVER, {"provider": provider, "key_owner": owner, "idem_key": key,
                                 "claimed_at": claimed_at, "now": now})
    return cur.rowcount == 1


def release(conn: sqlite3.Connection, provider: str, owner: str, key: str) -> None:
    """Drop an unanswered claim (the request failed: errors are not replayed)."""
    run(conn, _RELEASE, {"provider": provider, "key_owner": owner, "idem_key": key})
