"""/_mock/messages: every provider's messages in one place — filter, page, latest, wait (long-poll),
one message with its recipients, event timeline and webhook attempts, and deleting one."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse, Response

from mockserver.control import views
from mockserver.control.deps import MAX_ID, RuntimeDep, invalid
from mockserver.control.schemas import Event, MessageDetail, Page, Recipient, WaitTimedOut, Webhook
from mockserver.control.schemas import Message as MessageOut
from mockserver.core.clock import parse_iso
from mockserver.core.fault_shaping import names_of
from mockserver.core.models import Message
from mockserver.core.store import events, messages, recipients
from mockserver.core.store import webhooks as outbox
from mockserver.core.store.inspect import MessageQuery, find_message, first_numbers, search_messages

router = APIRouter(prefix="/messages", tags=["messages"])


def query_time(value: str | None, name: str) -> float | None:
    """A time query parameter: epoch seconds or ISO-8601; anything else is the control API's 422."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parse_iso(value)
    except ValueError:
        raise invalid(("query", name), "expected epoch seconds or ISO-8601", value) from None


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def message_query(
    provider: str | None = None,
    account_id: str | None = None,
    to: Annotated[str | None, Query(description="Any recipient's number in any written form: local `09…`, "
                                                "`639…` or `+639…` (separators ignored).")] = None,
    from_: Annotated[str | None, Query(alias="from", description="Sender ID / number, exact.")] = None,
    status: Annotated[str | None, Query(description="Recipient status(es), comma-separated: a message "
                                        "matches when one of its recipients is in one, e.g. delivered.")] = None,
    message_status: Annotated[str | None, Query(description="scheduled, queued, completed, cancelled.")] = None,
    text: Annotated[str | None, Query(description="Substring of the body.")] = None,
    public_id: Annotated[str | None, Query(description="A vendor id: the submission's (plan, uuid) or one destination's (Cast message_id, EngageLab message_id).")] = None,
    since: Annotated[str | None, Query(description="Created at or after (epoch seconds or ISO-8601).")] = None,
    until: Annotated[str | None, Query(description="Created at or before (epoch seconds or ISO-8601).")] = None,
    after_id: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Only messages with a larger id (newer).")] = None,
) -> MessageQuery:
    return MessageQuery(
        provider=provider, account_id=account_id, to=to, sender=from_, statuses=_csv(status),
        message_statuses=_csv(message_status), text=text, public_id=public_id,
        since=query_time(since, "since"), until=query_time(until, "until"), after_id=after_id,
    )


QueryDep = Annotated[MessageQuery, Depends(message_query)]


def message_views(runtime, rows: list[Message]) -> list[dict]:
    conn = runtime.db.conn()
    numbers = first_numbers(conn, [m.first_recipient_id for m in rows])
    # the rules that fired on the request or its recipients: marked on the message (core/fault_shaping.py)
    return [{**views.message(m, messages.counts(conn, m.id), numbers.get(m.first_recipient_id)),
             "faults": names_of(m.meta)} for m in rows]


def _newest(runtime, q: MessageQuery) -> dict | None:
    rows = search_messages(runtime.db.conn(), q, 1)
    return message_views(runtime, rows)[0] if rows else None


@router.get("", response_model=Page[MessageOut])
def list_messages(runtime: RuntimeDep, q: QueryDep, order: Literal["desc", "asc"] = "desc",
                  cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Response:
    """Messages of every provider, newest first (or oldest first), filtered and keyset-paged."""
    if cursor:
        # isdecimal() alone admits non-ASCII digits int() may refuse; the bound keeps SQLite from overflowing.
        if not (cursor.isascii() and cursor.isdecimal() and int(cursor) <= MAX_ID):
            raise invalid(("query", "cursor"), "use next_cursor from the previous page", cursor)
        if order == "asc":
            q.after_id = max(q.after_id or 0, int(cursor))
        else:
            q.before_id = int(cursor)
    rows = search_messages(runtime.db.conn(), q, limit, oldest_first=order == "asc")
    return views.listing(views.page(message_views(runtime, rows), limit))


@router.get("/latest", response_model=MessageOut)
def latest_message(runtime: RuntimeDep, q: QueryDep) -> dict:
    """The newest message matching the filters (404 when none does)."""
    found = _newest(runtime, q)
    if found is None:
        raise HTTPException(404, "no message matches")
    return found


#: How many of the scope's newest messages a 408 shows, so a failed wait says what did arrive.
SEEN_ON_TIMEOUT = 5


def _next_after(runtime, q: MessageQuery, after: int | None) -> dict | None:
    """With a cursor, the oldest match newer than it (so successive waits miss nothing); else the newest."""
    if after is None:
        return _newest(runtime, q)
    rows = search_messages(runtime.db.conn(), replace(q, after_id=max(q.after_id or 0, after)), 1, oldest_first=True)
    return message_views(runtime, rows)[0] if rows else None


def _timeout_body(runtime, q: MessageQuery, after: int | None, timeout: float) -> dict:
    waited = {k: v for k, v in asdict(q).items() if v not in (None, ())}
    if after is not None:
        waited["after"] = after
    scope = MessageQuery(provider=q.provider, account_id=q.account_id)  # what arrived, whatever it matched
    seen = message_views(runtime, search_messages(runtime.db.conn(), scope, SEEN_ON_TIMEOUT))
    return {"detail": f"no matching message within {timeout:g} s", "timeout": timeout, "waited_for": waited,
            "seen": seen}


@router.get("/wait", response_model=MessageOut, responses={408: {"model": WaitTimedOut, "description": "Nothing matched before the timeout; `waited_for` "
                                      "echoes the filters and `seen` lists the scope's newest messages."}})
async def wait_message(runtime: RuntimeDep, q: QueryDep,
                       after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Cursor: a message id. "
                                        "Answers the OLDEST match with a larger id, so waiting again with "
                                        "after=<the id returned> never skips one.")] = None,
                       timeout: Annotated[float, Query(ge=0, le=300, description="Real seconds.")] = 10.0) -> dict:
    """Long-poll: the newest match (with `after`, the next one) as soon as it exists, or 408 after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    # Woken by every submit and transition (Runtime.changed); the periodic re-check is a safety net.
    with runtime.listen() as changed:
        while True:
            changed.clear()
            found = await asyncio.to_thread(_next_after, runtime, q, after)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                body = await asyncio.to_thread(_timeout_body, runtime, q, after, timeout)
                return JSONResponse(body, status_code=408)
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, runtime.settings.wait_recheck))
            except asyncio.TimeoutError:
                pass


# The id a client holds is the vendor's, so any of them is accepted besides the sandbox's own integer.
MessageRef = Annotated[str, Path(max_length=200, description="The sandbox's message id, or any id a vendor API "
                                 "returned: Cast message_id, SMSCPR msgId, me-sms uuid, EngageLab plan_id or "
                                 "message_id.")]


def _message_or_404(runtime, message_id: str) -> Message:
    digits = message_id[1:] if message_id.startswith("-") else message_id
    if digits.isascii() and digits.isdecimal() and not 0 <= int(message_id) <= MAX_ID:
        # No vendor issues an integer outside SQLite's range either: a wrong number, not a missing one.
        raise invalid(("path", "message_id"), f"an integer id is between 0 and {MAX_ID}", message_id)
    msg = find_message(runtime.db.conn(), message_id, MAX_ID)
    if msg is None:
        raise HTTPException(404, f"message {message_id} not found")
    return msg


def _recipient_page(runtime, msg: Message, cursor: int, limit: int, status: str | None) -> dict:
    if msg.first_recipient_id is None:
        return views.page([], limit)
    rows = recipients.page(runtime.db.conn(), msg.first_recipient_id, msg.last_recipient_id, cursor, limit,
                           statuses=_csv(status) or None)
    return views.page([views.recipient(r) for r in rows], limit)


def _webhooks(runtime, message_id: int) -> list[dict]:
    conn = runtime.db.conn()
    hooks = outbox.page(conn, {"message_id": message_id}, after_id=0, before_id=None, limit=1000)
    return [views.webhook(h, outbox.attempts(conn, h.id)) for h in hooks]


@router.get("/{message_id}", response_model=MessageDetail)
def get_message(runtime: RuntimeDep, message_id: MessageRef,
                recipients_limit: Annotated[int, Query(ge=0, le=1000)] = 100) -> dict:
    """One message with its first page of recipients, its event timeline and its webhooks with attempts."""
    msg = _message_or_404(runtime, message_id)
    out = message_views(runtime, [msg])[0]
    out["recipients"] = _recipient_page(runtime, msg, 0, recipients_limit, None) if recipients_limit else None
    out["events"] = [views.event(e) for e in events.of_message(runtime.db.conn(), msg.id)]
    out["webhooks"] = _webhooks(runtime, msg.id)
    return out


@router.get("/{message_id}/recipients", response_model=Page[Recipient])
def list_recipients(runtime: RuntimeDep, message_id: MessageRef,
                    cursor: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                    status: Annotated[str | None, Query(description="Comma-separated statuses.")] = None) -> Response:
    """A message's recipients in id order, keyset-paged (fast at any depth of a 2M-recipient send)."""
    return views.listing(_recipient_page(runtime, _message_or_404(runtime, message_id), cursor, limit, status))


@router.get("/{message_id}/events", response_model=list[Event])
def list_events(runtime: RuntimeDep, message_id: MessageRef,
                limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> Response:
    """A message's event timeline, oldest first (per recipient for sends up to 10,000 recipients)."""
    msg = _message_or_404(runtime, message_id)
    return views.listing([views.event(e) for e in events.of_message(runtime.db.conn(), msg.id, limit)])


@router.get("/{message_id}/webhooks", response_model=list[Webhook])
def list_message_webhooks(runtime: RuntimeDep, message_id: MessageRef) -> list:
    """Webhooks this message caused, oldest first, each with its attempt log."""
    return _webhooks(runtime, _message_or_404(runtime, message_id).id)


def _delete(runtime, message_id: int) -> bool:
    with runtime.scheduler.exclusive(), runtime.db.write() as conn:  # no tick holds the rows read before
        return messages.delete(conn, message_id)


@router.delete("/{message_id}", status_code=204, responses={404: {"description": "No such message."}})
async def delete_message(runtime: RuntimeDep, message_id: MessageRef) -> Response:
    """Delete one message with its recipients, events and webhooks (pending ones are never sent)."""
    msg = await asyncio.to_thread(_message_or_404, runtime, message_id)
    # As for a reset: no attempt in flight, since a freed row id may be reused by the next insert.
    async with runtime.dispatcher.quiet():
        deleted = await asyncio.to_thread(_delete, runtime, msg.id)
    if not deleted:  # deleted meanwhile by another request
        raise HTTPException(404, f"message {message_id} not found")
    runtime.feed.publish("message.deleted", id=msg.id, public_id=msg.public_id, provider=msg.provider,
                         account_id=msg.account_id)
    runtime.changed()
    return Response(status_code=204)
