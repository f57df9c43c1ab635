"""Inbox pages: the message list (filters, one search box, keyset pages, live rows) and the
per-number conversation threads with their reply box."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from mockserver.control.deps import RuntimeDep
from mockserver.control.views import inbound as inbound_view
from mockserver.core.store import inbound, inbox, messages
from mockserver.core.store.inspect import MessageQuery
from mockserver.ui.common import Cursor, chrome, query_string, rows
from mockserver.ui.render import page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATUSES = ("queued", "scheduled", "sent", "delivered", "undelivered", "failed", "expired", "rejected",
            "blocked", "timeout", "cancelled", "invalid")


def _filters(provider: str | None, account_id: str | None, status: str | None, q: str | None) -> dict:
    return {"provider": provider or None, "account_id": account_id or None, "status": status or None,
            "q": (q or "").strip() or None}


def _list_context(runtime, f: dict, cursor: int | None) -> dict:
    query = inbox.InboxQuery(MessageQuery(provider=f["provider"], account_id=f["account_id"],
                                          statuses=(f["status"],) if f["status"] else (), before_id=cursor), f["q"])
    started = time.perf_counter()
    conn = runtime.db.conn()
    found = inbox.search_page(conn, query, PAGE_SIZE)
    items = rows(runtime, found)
    next_cursor = items[-1]["id"] if len(items) == PAGE_SIZE else None
    heard = _inbound_rows(conn, f, cursor, found) if not f["status"] else []
    totals: dict[str, int] = {}
    for item in items:  # the page's recipients per status: already loaded, so free
        for status, n in item["counts"].items():
            totals[status] = totals.get(status, 0) + n
    # Both directions interleaved by time (ISO strings of one format sort as times).
    entries = sorted([{"direction": "out", "at": m["created_at"], **m} for m in items] + heard, key=lambda e: e["at"], reverse=True)
    return {"items": items, "entries": entries, "filters": f, "cursor": cursor, "next_cursor": next_cursor,
            "totals": totals,
            "qs": query_string(f), "qs_any_status": query_string({**f, "status": None}), "query_ms": (time.perf_counter() - started) * 1000}


def _inbound_rows(conn, f: dict, cursor: int | None, found: list) -> list[dict]:
    """MO messages received within this page's time span: from its oldest message (when more pages follow)
    up to the newest message of the page before (the cursor's)."""
    until = None
    if cursor is not None:
        previous = messages.get(conn, cursor)
        until = previous.created_at if previous is not None else None
    after = found[-1].created_at if len(found) == PAGE_SIZE else None
    heard = inbound.in_window(conn, provider=f["provider"], account_id=f["account_id"], search=f["q"],
                                   after=after, until=until, limit=PAGE_SIZE)
    views = [inbound_view(m) for m in heard]
    return [{"direction": "in", **v, "at": v["received_at"]} for v in views]




@router.get("/", response_class=HTMLResponse)
def inbox_page(runtime: RuntimeDep, provider: str | None = None, account_id: str | None = None,
               status: str | None = None, q: str | None = None, cursor: Cursor = None) -> HTMLResponse:
    """The inbox: every message across providers, newest first."""
    ctx = _list_context(runtime, _filters(provider, account_id, status, q), cursor)
    return page("list.html", **chrome(runtime, "inbox"), **ctx, statuses=STATUSES)


@router.get("/inbox/rows", response_class=HTMLResponse)
def inbox_rows(runtime: RuntimeDep, provider: str | None = None, account_id: str | None = None,
               status: str | None = None, q: str | None = None, cursor: Cursor = None) -> HTMLResponse:
    """The list's rows alone (htmx swaps them in on live events and filter changes)."""
    return page("_rows.html", **_list_context(runtime, _filters(provider, account_id, status, q), cursor))


@router.get("/inbox/threads", response_class=HTMLResponse)
def threads_page(runtime: RuntimeDep, number: str | None = None) -> Response:
    """Conversation picker: the latest numbers written to or heard from."""
    if number:
        return RedirectResponse(f"/inbox/threads/{number.strip()}", status_code=303)
    numbers = inbox.recent_numbers(runtime.db.conn())
    return page("threads.html", **chrome(runtime, "threads"), numbers=numbers)


def _thread_context(runtime, number: str) -> dict:
    items = inbox.thread(runtime.db.conn(), number)
    bubbles = []
    for it in items:
        if it.direction == "out":
            m = it.message
            bubbles.append({"dir": "out", "id": m.id, "provider": m.provider, "account_id": m.account_id,
                            "from": m.sender, "body": m.body, "status": it.recipient_status,
                            "at": it.at, "many": m.recipient_count > 1})
        else:
            v = inbound_view(it.inbound)
            bubbles.append({"dir": "in", "id": v["id"], "provider": v["provider"], "account_id": v["account_id"],
                            "from": v["from"], "to": v["to"], "body": v["body"], "at": it.at})
    # Replies go to whoever wrote last to this number, through the same provider and account.
    last = next((b for b in reversed(bubbles)), None)
    reply = None
    if last is not None:
        reply = {"provider": last["provider"], "account_id": last["account_id"],
                 "to": last["from"] if last["dir"] == "out" else last["to"]}
    return {"number": number, "bubbles": bubbles, "reply": reply}


@router.get("/inbox/threads/{number}", response_class=HTMLResponse)
def thread_page(runtime: RuntimeDep, number: str) -> HTMLResponse:
    """One handset's conversation: outbound bubbles with ticks, inbound bubbles, a reply box."""
    return page("thread.html", **chrome(runtime, "threads"), **_thread_context(runtime, number))


@router.get("/inbox/threads/{number}/bubbles", response_class=HTMLResponse)
def thread_bubbles(runtime: RuntimeDep, number: str) -> HTMLResponse:
    """The bubbles alone (live refresh)."""
    return page("_bubbles.html", **_thread_context(runtime, number))


@router.get("/inbox/clock", response_class=HTMLResponse)
def clock_fragment(runtime: RuntimeDep) -> HTMLResponse:
    """The header clock alone (refreshed on `clock` and `reset` events)."""
    return page("_clock.html", **chrome(runtime, ""))


@router.get("/inbox/unread")
def unread_count(runtime: RuntimeDep, message: Cursor = None, inbound: Cursor = None) -> JSONResponse:
    """How many messages and MO messages arrived after the ids the browser last saw (its unread badge), and the
    newest ids now. Without ids (a first visit) nothing is unread. Ids above the newest (after a reset) count
    as nothing seen yet."""
    conn = runtime.db.conn()
    newest = inbox.latest(conn)
    seen = (message if message is not None and message <= newest[0] else None,
            inbound if inbound is not None and inbound <= newest[1] else None)
    if message is None and inbound is None:
        count = 0
    else:
        count = inbox.newer_than(conn, seen[0] or 0, seen[1] or 0)
    return JSONResponse({"unread": count, "latest": {"message": newest[0], "inbound": newest[1]}})
