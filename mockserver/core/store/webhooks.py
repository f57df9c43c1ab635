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


def pending(conn: sqlite3.Connection, limit: int = 500) -> list[Webhook]:
    """Pending rows, oldest first (delivery order inside an ordering key is by id)."""
    rows = conn.execute("SELECT * FROM webhook WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,))
    return to_models(Webhook, rows)


def next_due(conn: sqlite3.Connection) -> float | None:
    row = conn.execute("SELECT min(next_attempt_at) FROM webhook WHERE status = 'pending'").fetchone()
    return row[0]


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
