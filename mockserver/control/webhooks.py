"""/_mock/webhooks: the outbox and its attempt log across providers; redeliver one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from mockserver.control import views
from mockserver.control.deps import MAX_ID, RuntimeDep, WebhookId
from mockserver.control.schemas import Page, Webhook
from mockserver.core.store import webhooks as outbox

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("", response_model=Page[Webhook])
def list_webhooks(
    runtime: RuntimeDep,
    provider: str | None = None,
    account_id: str | None = None,
    message_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    kind: Annotated[str | None, Query(description="dlr, mo, notification, verify, ...")] = None,
    url: Annotated[str | None, Query(description="Exact callback URL.")] = None,
    order: Literal["desc", "asc"] = "desc",
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="next_cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    attempts: Annotated[bool, Query(description="Include each webhook's attempt log.")] = False,
) -> Response:
    """Webhooks newest first (or oldest first), filtered, keyset-paged."""
    where = {k: v for k, v in (("provider", provider), ("account_id", account_id), ("message_id", message_id),
                               ("status", status), ("kind", kind), ("url", url)) if v is not None}
    conn = runtime.db.conn()
    if order == "asc":
        rows = outbox.page(conn, where, after_id=cursor or 0, before_id=None, limit=limit)
    else:
        rows = outbox.page(conn, where, after_id=None, before_id=cursor, limit=limit)
    items = [views.webhook(h, outbox.attempts(conn, h.id) if attempts else None) for h in rows]
    return views.listing(views.page(items, limit))


@router.get("/{webhook_id}", response_model=Webhook)
def get_webhook(webhook_id: WebhookId, runtime: RuntimeDep) -> dict:
    """One webhook with every attempt: URL, request headers and body, response status and excerpt, latency, error."""
    conn = runtime.db.conn()
    hook = outbox.get(conn, webhook_id)
    if hook is None:
        raise HTTPException(404, f"webhook {webhook_id} not found")
    return views.webhook(hook, outbox.attempts(conn, webhook_id))


@router.post("/{webhook_id}/redeliver", response_model=Webhook)
async def redeliver_webhook(webhook_id: WebhookId, runtime: RuntimeDep) -> dict:
    """Send a webhook again now with a fresh attempt budget; answers after that attempt."""
    if not await runtime.dispatcher.redeliver(webhook_id):
        raise HTTPException(404, f"webhook {webhook_id} not found")
    return get_webhook(webhook_id, runtime)
