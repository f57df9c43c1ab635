"""The webhook outbox and its attempt log. Rows survive restarts; delivery state lives here."""

from __future__ import annotations

import sqlite3
from typing import Any

from mockserver.core.models import Webhook, WebhookAttempt
from mockserver.core.store.rows import insert, to_model, to_models, update


def enqueue(conn: sqlite3.Connection, hook: Webhook) -> Webhook:
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


_DUE_BATCH = """
SELECT * FROM webhook w
WHERE w.status = 'pending' AND coalesce(w.next_attempt_at, 0) <= :now
  AND (w.ordering_key = '' OR NOT EXISTS (
        SELECT 1 FROM webhook e
        WHERE e.status = 'pending' AND e.ordering_key = w.ordering_key AND e.id < w.id
          AND coalesce(e.next_attempt_at, 0) > :now))
ORDER BY w.id LIMIT :limit
"""


def due_batch(conn: sqlite3.Connection, now: float, limit: int = 1000) -> list[Webhook]:
    """Pending rows due now, oldest first, minus rows held back by an earlier same-key row still
    waiting for its retry (so a row far behind never starves the rest of the outbox)."""
    return to_models(Webhook, conn.execute(_DUE_BATCH, {"now": now, "limit": limit}))


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
