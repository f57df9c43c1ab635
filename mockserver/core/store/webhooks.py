"""The webhook outbox and its attempt log. Rows survive restarts; delivery state lives here:
claims (leases) before an attempt, one attempt row per attempt (their schema upgrade is Alembic
revision core/db/alembic/versions/0004_webhook_delivery.py).

Every statement is SQLAlchemy Core compiled once per dialect (core/db/sql.py); the shapes that vary with a
call (how many ids, which filters) are built once per shape and cached.
"""

from __future__ import annotations

import sqlite3
import uuid
from functools import lru_cache
from typing import Any, Iterable, NamedTuple
from urllib.parse import urlsplit

from sqlalchemy import BigInteger, Float, bindparam, func, literal_column, or_, select
from sqlalchemy import update as sa_update

from mockserver.core.db.sql import Pair, Statement, run, run_many
from mockserver.core.models import Webhook, WebhookAttempt
from mockserver.core.store.binds import in_list, padded_in_params
from mockserver.core.store.rows import insert, to_model, to_models, update

_t = Webhook.__table__
_a = WebhookAttempt.__table__
# Ids a client sends (control API paths and cursors) bind as BIGINT: psycopg's dialect casts an Integer
# parameter to INTEGER, which fails on ids past 2**31 (PostgreSQL's id columns are INTEGER; an
# out-of-range id must find nothing, not raise).
_ID = BigInteger
# The claim's aliases (w: the candidate row, e: an earlier row of its ordering key).
_w, _e = _t.alias("w"), _t.alias("e")
# Constants written into the text, not bound: SQLite uses the partial index ix_webhook_key (WHERE
# status = 'pending') only when the query says 'pending' literally.
_PENDING = literal_column("'pending'")
_ZERO = literal_column("0")

def new_delivery_id() -> str:
    """Random, not seeded: a delivery id must never repeat, even after a reset replays the id seed."""
    return uuid.uuid4().hex


def host_of(url: str) -> str:
    """The delivery lane of a URL: scheme, host and port (lower case)."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()
    except ValueError:
        return ""


#: Every column of an outbox row but its id, in the order enqueue_many binds them.
_ROW_COLUMNS = tuple(c.name for c in _t.columns if c.name != "id")
_ENQUEUE_MANY = Statement(_t.insert().values({c: bindparam(c) for c in _ROW_COLUMNS}))
_ENQUEUE_ONE = Statement(_t.insert().values({c: bindparam(c) for c in _ROW_COLUMNS}).returning(_t.c.id))


def new_row(*, provider: str, account_id: str, message_id: int | None, kind: str, ordering_key: str, url: str,
            headers: str, body: str, signing: str, max_attempts: int, now: float,
            next_attempt_at: float) -> dict[str, Any]:
    """An outbox row as plain values, for enqueue_many: the columns a Webhook object would give it (pending,
    no attempt yet), without building one (an SQLModel per webhook was ~20 % of a tick that queues DLRs)."""
    return {"provider": provider, "account_id": account_id, "message_id": message_id, "kind": kind,
            "ordering_key": ordering_key, "url": url, "headers": headers, "body": body, "status": "pending",
            "attempts": 0, "max_attempts": max_attempts, "next_attempt_at": next_attempt_at,
            "last_status_code": None, "last_error": None, "created_at": now, "updated_at": now,
            "delivery_id": new_delivery_id(), "signing": signing, "host": host_of(url), "lease_until": None}


def enqueue_many(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> int:
    """Insert `new_row`s in one executemany, in order (ids ascend in it: a key's rows go out in this order)."""
    if rows:
        run_many(conn, _ENQUEUE_MANY, rows)
    return len(rows)


def enqueue_returning_ids(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """enqueue_many for a caller that answers with the new ids (an injected inbound's webhooks): one
    INSERT ... RETURNING each (RETURNING works on both engines, lastrowid only on SQLite)."""
    return [int(run(conn, _ENQUEUE_ONE, row).fetchone()[0]) for row in rows]


_GET = Statement(select(_t).where(_t.c.id == bindparam("id", type_=_ID)))
_ATTEMPTS = Statement(select(_a).where(_a.c.webhook_id == bindparam("webhook_id", type_=_ID)).order_by(_a.c.id))


def get(conn: sqlite3.Connection, webhook_id: int) -> Webhook | None:
    return to_model(Webhook, run(conn, _GET, {"id": webhook_id}).fetchone())


def set_fields(conn: sqlite3.Connection, webhook_id: int, **values: Any) -> int:
    return update(conn, "webhook", {"id": webhook_id}, values)


def log_attempt(conn: sqlite3.Connection, attempt: WebhookAttempt) -> None:
    insert(conn, attempt)


def attempts(conn: sqlite3.Connection, webhook_id: int) -> list[WebhookAttempt]:
    return to_models(WebhookAttempt, run(conn, _ATTEMPTS, {"webhook_id": webhook_id}))


def search(
    conn: sqlite3.Connection,
    *,
    provider: str | None = None,
    account_id: str | None = None,
    message_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
    url: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Webhook]:
    """Newest first, the given columns equal (None: any)."""
    where = {col: val for col, val in (("provider", provider), ("account_id", account_id), ("message_id", message_id),
                                       ("status", status), ("kind", kind), ("url", url)) if val is not None}
    return page(conn, where, None, before_id, limit)


def _columns(table, columns: str) -> list:
    """The columns a caller names ("*", or "id, host" with or without the "w." alias) of `table`."""
    if columns.strip() == "*":
        return list(table.c)
    return [table.c[name.strip().rpartition(".")[2]] for name in columns.split(",")]


@lru_cache(maxsize=256)
def _due_statement(columns: str, hosts: int) -> Statement:
    """The claim's choice, per column list and number of full hosts. Two replicas never lease the same row:
    SQLite's claim runs inside a write transaction taken up front (BEGIN IMMEDIATE, cross-process);
    PostgreSQL's rows are chosen FOR UPDATE SKIP LOCKED (a row another claim holds is passed over, one it
    has just leased is re-checked against its committed lease_until)."""
    wall = bindparam("wall", type_=Float)
    where = [_w.c.status == _PENDING, func.coalesce(_w.c.next_attempt_at, _ZERO) <= bindparam("now", type_=Float),
             or_(wall.is_(None), _w.c.lease_until.is_(None), _w.c.lease_until <= wall)]
    if hosts:
        where.append(_w.c.host.not_in([bindparam(f"host{i}") for i in range(hosts)]))
    earlier = select(literal_column("1")).where(
        _e.c.status == _PENDING, _e.c.ordering_key == _w.c.ordering_key, _e.c.id < _w.c.id)
    where.append(or_(_w.c.ordering_key == literal_column("''"), ~earlier.exists()))
    return Statement(select(*_columns(_w, columns)).where(*where).order_by(_w.c.id).limit(bindparam("limit"))
                     .with_for_update(of=_w, skip_locked=True))


def due_batch(conn: sqlite3.Connection, now: float, limit: int = 1000, *, wall: float | None = None,
              full_hosts: Iterable[str] = ()) -> list[Webhook]:
    """Pending rows due now, oldest first: only the first pending row of each ordering key (so a
    receiver never sees DELIVERED before SENT), none whose lease is unexpired at wall-clock `wall`,
    none for a host whose lane is full (so a hanging receiver's backlog never hides the others)."""
    return to_models(Webhook, due_rows(conn, now, limit, wall=wall, full_hosts=full_hosts))


def due_rows(conn: sqlite3.Connection, now: float, limit: int, *, wall: float | None,
             full_hosts: Iterable[str] = (), columns: str = "*") -> list[sqlite3.Row]:
    """due_batch as plain rows, `columns` of them (the delivery hot path reads only `w.id, w.host`)."""
    full = sorted(full_hosts)
    params = {"now": now, "wall": wall, "limit": limit, **{f"host{i}": host for i, host in enumerate(full)}}
    return run(conn, _due_statement(columns, len(full)), params).fetchall()


@lru_cache(maxsize=256)
def _lease_statement(columns: str, n: int) -> Statement:
    return Statement(sa_update(_t).where(in_list(_t.c.id, "id", n))
                     .values(lease_until=bindparam("until")).returning(*_columns(_t, columns)))


def lease(conn: sqlite3.Connection, ids: list[int], until: float, columns: str = "id") -> list[sqlite3.Row]:
    """Claim rows for an attempt until wall-clock `until` (inside the transaction that chose them);
    returns their `columns`, in id order. One statement: a claim reads only the rows it takes. The id list
    is padded (padded_in_params): a claim takes any number of rows, and a statement per number compiled
    ~100 times in a fresh process's first 2,000 webhooks."""
    if not ids:
        return []
    size, params = padded_in_params("id", ids)
    rows = run(conn, _lease_statement(columns, size), {"until": until, **params}).fetchall()
    return sorted(rows, key=lambda row: row["id"])


class AttemptRow(NamedTuple):
    """A webhookattempt row as record_many() inserts it (a tuple, so executemany binds it as is)."""

    webhook_id: int
    attempt: int
    at: float
    sent_at: float
    url: str
    request_headers: str
    request_body: str
    response_status: int | None
    response_excerpt: str
    latency_ms: float
    error: str | None
    delivery_id: str


class StateRow(NamedTuple):
    """A webhook's state after an attempt, as record_many() sets it."""

    status: str
    attempts: int
    next_attempt_at: float | None
    last_status_code: int | None
    last_error: str | None
    updated_at: float


# The attempt log and state write-back of every answered batch: positional texts, bound as the tuples
# they are. Measured (claim, lease and record of 3,000 webhooks on SQLite, CPU per webhook): the record
# took 68 us with these texts and 82 us as Core statements bound from dicts, so they stay a Pair.
_INSERT_ATTEMPT = Pair(
    sqlite=(f"INSERT INTO webhookattempt ({', '.join(AttemptRow._fields)}) "
            f"VALUES ({', '.join('?' * len(AttemptRow._fields))})"),
    postgresql=(f"INSERT INTO webhookattempt ({', '.join(AttemptRow._fields)}) "
                f"VALUES ({', '.join(['%s'] * len(AttemptRow._fields))})"))
_UPDATE_STATE = Pair(
    sqlite=f"UPDATE webhook SET {', '.join(f'{c} = ?' for c in StateRow._fields)}, lease_until = NULL WHERE id = ?",
    postgresql=f"UPDATE webhook SET {', '.join(f'{c} = %s' for c in StateRow._fields)}, lease_until = NULL WHERE id = %s")


@lru_cache(maxsize=256)
def _present_statement(n: int) -> Statement:
    return Statement(select(_t.c.id).where(in_list(_t.c.id, "id", n)))


def record_many(conn: sqlite3.Connection, batch: list[tuple[AttemptRow, StateRow]]) -> list[bool]:
    """Log answered attempts and move each webhook to its new state, leases released: three statements for the whole batch, each attempt its
    own row with its own times. False for a webhook that is gone (a reset wiped it meanwhile)."""
    present: set[int] = set()
    if batch:
        size, params = padded_in_params("id", [attempt.webhook_id for attempt, _ in batch])
        present = {row[0] for row in run(conn, _present_statement(size), params)}
    kept = [attempt.webhook_id in present for attempt, _ in batch]
    run_many(conn, _UPDATE_STATE, [(*state, attempt.webhook_id) for (attempt, state), ok in zip(batch, kept) if ok])
    run_many(conn, _INSERT_ATTEMPT, [attempt for (attempt, _), ok in zip(batch, kept) if ok])
    return kept


_DEPTH = Statement(select(func.count()).select_from(_t).where(_t.c.status == _PENDING))
_OLDEST_DUE = Statement(
    select(func.min(func.coalesce(_t.c.next_attempt_at, _ZERO))).where(
        _t.c.status == _PENDING, func.coalesce(_t.c.next_attempt_at, _ZERO) <= bindparam("now", type_=Float),
        or_(_t.c.lease_until.is_(None), _t.c.lease_until <= bindparam("wall", type_=Float))))


def depth(conn: sqlite3.Connection) -> int:
    """Webhooks still to deliver (pending, due or waiting for a retry)."""
    return run(conn, _DEPTH).fetchone()[0]


def oldest_due(conn: sqlite3.Connection, now: float, wall: float) -> float | None:
    """next_attempt_at of the oldest pending row due now and not held by an attempt."""
    return run(conn, _OLDEST_DUE, {"now": now, "wall": wall}).fetchone()[0]


_PAGE_FILTERS = ("provider", "account_id", "message_id", "status", "kind", "url", "ordering_key")


@lru_cache(maxsize=256)
def _page_statement(columns: tuple[str, ...], after: bool, before: bool) -> Statement:
    where = [_t.c[col] == bindparam(f"where_{col}", type_=_ID if col == "message_id" else None)
             for col in columns]
    if after:
        where.append(_t.c.id > bindparam("after_id", type_=_ID))
    if before:
        where.append(_t.c.id < bindparam("before_id", type_=_ID))
    return Statement(select(_t).where(*where).order_by(_t.c.id.asc() if after else _t.c.id.desc())
                     .limit(bindparam("limit")))


def page(conn: sqlite3.Connection, where: dict[str, Any], after_id: int | None, before_id: int | None,
         limit: int) -> list[Webhook]:
    """Filtered page, newest first (before_id) or oldest first (after_id); where = column -> value."""
    assert all(col in _PAGE_FILTERS for col in where)
    params = {**{f"where_{col}": val for col, val in where.items()}, "after_id": after_id, "before_id": before_id,
              "limit": limit}
    statement = _page_statement(tuple(where), after_id is not None, before_id is not None)
    return to_models(Webhook, run(conn, statement, params))
