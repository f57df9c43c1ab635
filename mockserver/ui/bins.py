"""Inbox page of the request bins (/_mock/bins): every bin, and one bin's caught requests newest first
(method, path, time, headers, body as pretty JSON or an excerpt), live on `bin.request` events."""

from __future__ import annotations


from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mockserver.control import bins as bins_api
from mockserver.control.deps import RuntimeDep
from mockserver.core.store import bins
from mockserver.ui.common import Cursor, chrome
from mockserver.ui.render import page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
EXCERPT = 2000  # characters of a body shown; the control API has the whole stored body


def _request(req) -> dict:
    view = bins_api.view(req)
    body = view["body"] or ""
    view["excerpt"] = body[:EXCERPT]
    view["cut"] = len(body) > EXCERPT or view["truncated"]
    return view


def _context(runtime, name: str | None, cursor: int | None) -> dict:
    conn = runtime.db.conn()
    names = [{"bin": b, "count": n} for b, n, _ in bins.summary(conn, 1000)]
    chosen = name if name and bins_api.NAME.match(name) else (names[0]["bin"] if names else None)
    items = [_request(r) for r in bins.newest(conn, chosen, cursor, PAGE_SIZE)] if chosen else []
    rule = bins.rule(conn, chosen) if chosen else None
    return {"bins": names, "chosen": chosen, "items": items, "cursor": cursor, "answer": rule,
            "next_cursor": items[-1]["id"] if len(items) == PAGE_SIZE else None}


def _base(request: Request) -> str:
    """This server as the browser reached it: the bin's URL to paste as a callback URL."""
    return str(request.base_url).rstrip("/")


@router.get("/inbox/bins", response_class=HTMLResponse)
def bins_page(runtime: RuntimeDep, request: Request, bin: str | None = None, cursor: Cursor = None) -> HTMLResponse:
    """Request bins: every bin, and the chosen one's requests newest first."""
    return page("bins.html", **chrome(runtime, "bins"), **_context(runtime, bin, cursor), base=_base(request))


@router.get("/inbox/bins/live", response_class=HTMLResponse)
def bins_live(runtime: RuntimeDep, request: Request, bin: str | None = None) -> HTMLResponse:
    """The bins and the chosen bin's newest requests alone (refreshed on `bin.request` events)."""
    return page("_bins.html", **_context(runtime, bin, None), base=_base(request))
