"""Inbox pages for operating the sandbox: the webhook log (failed first filter, redeliver) and the
accounts (credentials with copy buttons, credits, editable callback URLs)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from mockserver.control import views
from mockserver.control.deps import RuntimeDep
from mockserver.core.store import accounts, inbox
from mockserver.core.store import webhooks as outbox
from mockserver.providers import PROVIDERS
from mockserver.ui.common import Cursor, chrome
from mockserver.ui.render import page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
HookStatus = Literal["pending", "delivered", "failed", ""]


def _hooks_context(runtime, status: str | None, cursor: int | None) -> dict:
    conn = runtime.db.conn()
    where = {"status": status} if status else {}
    hooks = outbox.page(conn, where, after_id=None, before_id=cursor, limit=PAGE_SIZE)
    logs = inbox.attempts_of(conn, [h.id for h in hooks])
    items = [views.webhook(h, logs.get(h.id, [])) for h in hooks]
    return {"hooks": items, "status": status or "", "cursor": cursor,
            "next_cursor": items[-1]["id"] if len(items) == PAGE_SIZE else None}


@router.get("/inbox/webhooks", response_class=HTMLResponse)
def webhooks_page(runtime: RuntimeDep, status: HookStatus = "",
                  cursor: Cursor = None) -> HTMLResponse:
    """Every webhook and its attempts, newest first; filter failed ones; redeliver."""
    return page("webhooks.html", **chrome(runtime, "webhooks"), **_hooks_context(runtime, status, cursor))


@router.get("/inbox/webhooks/rows", response_class=HTMLResponse)
def webhooks_rows(runtime: RuntimeDep, status: HookStatus = "",
                  cursor: Cursor = None) -> HTMLResponse:
    """The webhook list alone (live refresh)."""
    return page("_webhooks.html", **_hooks_context(runtime, status, cursor))


@router.get("/inbox/accounts", response_class=HTMLResponse)
def accounts_page(runtime: RuntimeDep) -> HTMLResponse:
    """Accounts per provider: credentials, credits, callback URLs."""
    conn = runtime.db.conn()
    groups = []
    for name, provider in PROVIDERS.items():
        accs = [views.account(a, accounts.keys_of(conn, a.id)) for a in accounts.list_all(conn, name)]
        groups.append({"name": name, "title": provider.title, "accounts": accs})
    return page("accounts.html", **chrome(runtime, "accounts"), groups=groups)
