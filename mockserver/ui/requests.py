"""Inbox page of the request journal (/_mock/requests): every provider request newest first, "errors
only" and provider filters, each row opening the request (as curl) beside the answer; live (it polls
every 2 s, and refreshes on message.created). Also the request a message came from, for the message detail page."""

from __future__ import annotations


from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from mockserver.control import requests as requests_api
from mockserver.control.deps import RuntimeDep
from mockserver.core.store import journal
from mockserver.core.store.journal import JournalQuery
from mockserver.ui.common import Cursor, chrome, query_string
from mockserver.ui.render import page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
EXCERPT = 4000  # characters of a body shown; the control API has the whole stored excerpt


def _row(entry) -> dict:
    view = requests_api.view(entry)
    view["excerpt"] = (view["body"] or "")[:EXCERPT]
    view["cut"] = len(view["body"] or "") > EXCERPT or view["truncated"]
    view["family"] = "ok" if 200 <= view["status"] < 400 else "bad"
    return view


def _context(runtime, provider: str | None, errors: bool, cursor: int | None) -> dict:
    runtime.journal.flush()
    q = JournalQuery(provider=provider or None, status_min=400 if errors else None, before_id=cursor)
    items = [_row(e) for e in journal.newest(runtime.db.conn(), q, PAGE_SIZE)]
    filters = {"provider": provider or None, "errors": "1" if errors else None}
    return {"items": items, "filters": filters, "qs": query_string(filters), "cursor": cursor,
            "enabled": runtime.journal.enabled, "next_cursor": items[-1]["id"] if len(items) == PAGE_SIZE else None}


@router.get("/inbox/requests", response_class=HTMLResponse)
def requests_page(runtime: RuntimeDep, provider: str | None = None, errors: bool = False,
                  cursor: Cursor = None) -> HTMLResponse:
    """Every request the provider APIs received, accepted or refused, with its answer."""
    return page("requests.html", **chrome(runtime, "requests"), **_context(runtime, provider, errors, cursor))


@router.get("/inbox/requests/rows", response_class=HTMLResponse)
def requests_rows(runtime: RuntimeDep, provider: str | None = None, errors: bool = False) -> HTMLResponse:
    """The newest rows alone (the page polls them every 2 s and on message.created)."""
    return page("_requests.html", **_context(runtime, provider, errors, None))


def of_message(runtime, message_id: int) -> dict | None:
    """The journaled request that created a message (None when the journal no longer holds it)."""
    runtime.journal.flush()
    found = journal.newest(runtime.db.conn(), JournalQuery(message_id=message_id), 1)
    return _row(found[0]) if found else None
