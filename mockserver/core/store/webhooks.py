"""The webhook outbox and its attempt log. Rows survive restarts; delivery state lives here:
claims (leases) before an attempt, one attempt row per attempt (their schema upgrade is Alembic
revision core/db/alembic/versions/0004_webhook_delivery.py)."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Iterable, NamedTuple
from urllib.parse import urlsplit

from mockserver.core.models import Webhook, WebhookAttempt
from mockserver.core.store.rows import insert, to_model, to_models, update

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


def enqueue(conn: sqlite3.Connection, hook: Webhook) -> Webhook:
    hook.delivery_id = hook.delivery_id or new_delivery_id()
    hook.host = hook.host or host_of(hook.url)
    hook.id = insert(conn, hook)
    return hook


def get(conn: sqlite3.Connection, webhook_id: int) -> Webhook | None:
    return to_model(Webhook, conn.execute("SELECT * FROM webhook WHERE id = ?", (webhook_id,)).fetchone())


def set_fields(conn: sqlite3.Connection, webhook_id: int, **values: Any) -> int:
    return update(conn, "webhook", {"id": webhook_id}, values)


def log_attempt(conn: sqlite3.Connection, attempt: WebhookAttempt) -> None:
    insert(conn, attempt)


def attempts(conn: sqlite3.Connection, webhook_id: int) -> list[WebhookAttempt]:
    rows = conn.execute("SELECT * FROM webhookattempt WHERE webhook_id = ? ORDER BY id", (webhook_id,))
    return to_models(WebhookAttempt, rows)


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
    where, args = ["1=1"], []
    for col, val in (("provider", provider), ("account_id", account_id), ("message_id", message_id),
                     ("status", status), ("kind", kind), ("url", url)):
        if val is not None:
            where.append(f"{col} = ?"); args.append(val)
    if before_id is not None:
        where.append("id < ?"); args.append(before_id)
    rows = conn.execute(f"SELECT * FROM webhook WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?", [*args, limit])
    return to_models(Webhook, rows)


# Portable SQL (? placeholders, no SQLite functions): the claim runs inside a write transaction that
# SQLite takes up front (BEGIN IMMEDIATE, cross-process), so two replicas never lease the same row. A
# PostgreSQL twin appends `FOR UPDATE OF w SKIP LOCKED` after LIMIT, so replicas claim disjoint rows
# without waiting on each other.
_DUE_BATCH = """
SELECT * FROM webhook w
WHERE w.status = 'pending' AND coalesce(w.next_attempt_at, 0) <= ?
  AND (? IS NULL OR w.lease_until IS NULL OR w.lease_until <= ?)
  {full}
  AND (w.ordering_key = '' OR NOT EXISTS (
        SELECT 1 FROM webhook e
        WHERE e.status = 'pending' AND e.ordering_key = w.ordering_key AND e.id < w.id))
ORDER BY w.id LIMIT ?
"""


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
    sql = _DUE_BATCH.replace("SELECT *", f"SELECT {columns}", 1).format(
        full=f"AND w.host NOT IN ({', '.join('?' * len(full))})" if full else "")
    return conn.execute(sql, (now, wall, wall, *full, limit)).fetchall()


def lease(conn: sqlite3.Connection, ids: list[int], until: float, columns: str = "id") -> list[sqlite3.Row]:
    """Claim rows for an attempt until wall-clock `until` (inside the transaction that chose them);
    returns their `columns`, in id order. One statement: a claim reads only the rows it takes."""
    if not ids:
        return []
    rows = conn.execute(f"UPDATE webhook SET lease_until = ? WHERE id IN ({', '.join('?' * len(ids))}) "
                        f"RETURNING {columns}", (until, *ids)).fetchall()
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


_INSERT_ATTEMPT = (f"INSERT INTO webhookattempt ({', '.join(AttemptRow._fields)}) "
                   f"VALUES ({', '.join('?' * len(AttemptRow._fields))})")
_UPDATE_STATE = f"UPDATE webhook SET {', '.join(f'{c} = ?' for c in StateRow._fields)}, lease_until = NULL WHERE id = ?"


def record_many(conn: sqlite3.Connection, batch: list[tuple[AttemptRow, StateRow]]) -> list[bool]:
    """Log answered attempts and move each webhook to its new state, leases released: three statements for the whole batch, each attempt its
    own row with its own times. False for a webhook that is gone (a reset wiped it meanwhile)."""
    ids = [attempt.webhook_id for attempt, _ in batch]
    present = {row[0] for row in conn.execute(
        f"SELECT id FROM webhook WHERE id IN ({', '.join('?' * len(ids))})", ids)} if ids else set()
    kept = [attempt.webhook_id in present for attempt, _ in batch]
    conn.executemany(_UPDATE_STATE, [(*state, attempt.webhook_id) for (attempt, state), ok in zip(batch, kept) if ok])
    conn.executemany(_INSERT_ATTEMPT, [attempt for (attempt, _), ok in zip(batch, kept) if ok])
    return kept


def depth(conn: sqlite3.Connection) -> int:
    """Webhooks still to deliver (pending, due or waiting for a retry)."""
    return conn.execute("SELECT count(*) FROM webhook WHERE status = 'pending'").fetchone()[0]


def oldest_due(conn: sqlite3.Connection, now: float, wall: float) -> float | None:
    """next_attempt_at of the oldest pending row due now and not held by an attempt."""
    row = conn.execute("SELECT min(coalesce(next_attempt_at, 0)) FROM webhook WHERE status = 'pending' "
                       "AND coalesce(next_attempt_at, 0) <= ? AND (lease_until IS NULL OR lease_until <= ?)",
                       (now, wall)).fetchone()
    return row[0]


def page(conn: sqlite3.Connection, where: dict[str, Any], after_id: int | None, before_id: int | None,
         limit: int) -> list[Webhook]:
    """Filtered page, newest first (before_id) or oldest first (after_id); where = column -> value."""
    clauses, args = ["1=1"], []
    for col, val in where.items():
        assert col in ("provider", "account_id", "message_id", "status", "kind", "url", "ordering_key")
        clauses.append(f"{col} = ?"); args.append(val)
    if after_id is not None:
        clauses.append("id > ?"); args.append(after_id)
    if before_id is not None:
        clauses.append("id < ?"); args.append(before_id)
    order = "ASC" if after_id is not None else "DESC"
    sql = f"SELECT * FROM webhook WHERE {' AND '.join(clauses)} ORDER BY id {order} LIMIT ?"
    return to_models(Webhook, conn.execute(sql, [*args, limit]))
