"""Message detail page: body (encoding, parts, credits, OTP, links), per-status summary, paged
recipients, the event timeline, every webhook attempt with redeliver, and the force-status menu."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from mockserver.control import views
from mockserver.control.deps import MAX_ID, MessageId, RuntimeDep
from mockserver.control.messages import message_views
from mockserver.core.engine import transitions
from mockserver.core.clock import iso_ms
from mockserver.core.store import events, inbox, messages, recipients
from mockserver.core.store import webhooks as outbox
from mockserver.ui import requests as journal_ui
from mockserver.ui.common import chrome
from mockserver.ui.render import page

router = APIRouter(include_in_schema=False)

RECIPIENT_PAGE = 50
EVENT_LIMIT = 200


def _message(runtime, message_id: int):
    msg = messages.get(runtime.db.conn(), message_id)
    if msg is None:
        raise HTTPException(404, f"message {message_id} not found")
    return msg


def _recipients(runtime, msg, cursor: int, status: str | None) -> dict:
    if msg.first_recipient_id is None:
        return {"items": [], "next_cursor": None, "cursor": cursor, "status": status}
    rows = recipients.page_rows(runtime.db.conn(), msg.first_recipient_id, msg.last_recipient_id, cursor,
                                RECIPIENT_PAGE, statuses=(status,) if status else None)
    items = [{"id": r[0], "msisdn": r[1], "status": r[2], "updated_at": iso_ms(r[3]), "done_at": iso_ms(r[5])}
             for r in rows]
    return {"items": items, "next_cursor": items[-1]["id"] if len(items) == RECIPIENT_PAGE else None,
            "cursor": cursor, "status": status, "message_id": msg.id}


def _detail_context(runtime, message_id: int) -> dict:
    msg = _message(runtime, message_id)
    conn = runtime.db.conn()
    view = message_views(runtime, [msg])[0]
    hooks = outbox.page(conn, {"message_id": msg.id}, after_id=0, before_id=None, limit=200)
    logs = inbox.attempts_of(conn, [h.id for h in hooks])
    return {
        "m": view, "recipients": _recipients(runtime, msg, 0, None),
        "events": [views.event(e) for e in events.of_message(conn, msg.id, EVENT_LIMIT)],
        "webhooks": [views.webhook(h, logs.get(h.id, [])) for h in hooks],
        "forceable": sorted(str(s) for s in transitions.FORCEABLE),
        "request": journal_ui.of_message(runtime, msg.id),  # what the app sent (ui/requests.py)
    }


@router.get("/inbox/messages/{message_id}", response_class=HTMLResponse)
def message_page(runtime: RuntimeDep, message_id: MessageId) -> HTMLResponse:
    """One message in full."""
    return page("message.html", **chrome(runtime, "inbox"), **_detail_context(runtime, message_id))


@router.get("/inbox/messages/{message_id}/live", response_class=HTMLResponse)
def message_live(runtime: RuntimeDep, message_id: MessageId) -> HTMLResponse:
    """The changing part of the detail page alone (live refresh)."""
    return page("_message.html", **_detail_context(runtime, message_id))


@router.get("/inbox/messages/{message_id}/recipients", response_class=HTMLResponse)
def message_recipients(runtime: RuntimeDep, message_id: MessageId,
                       cursor: Annotated[int, Query(ge=0, le=MAX_ID)] = 0, status: str | None = None) -> HTMLResponse:
    """One page of recipients (keyset: fast at any depth of a 2,000,000-recipient send)."""
    msg = _message(runtime, message_id)
    return page("_recipients.html", recipients=_recipients(runtime, msg, cursor, status or None),
                m={"id": msg.id, "counts": messages.counts(runtime.db.conn(), msg.id)})
