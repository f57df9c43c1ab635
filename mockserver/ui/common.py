"""What every inbox page shares: the header context (providers, accounts, clock) and the way a
list of messages becomes view rows (the control API's own JSON views)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from mockserver.control.deps import MAX_ID
from mockserver.control.messages import message_views
from mockserver.core.clock import iso_ms
from mockserver.core.models import Message
from mockserver.core.store import accounts
from mockserver.providers import PROVIDERS


#: A keyset cursor of an inbox page (an id: the page holds what is older).
Cursor = Annotated[int | None, Query(ge=0, le=MAX_ID)]


def clock_state(runtime) -> dict:
    now = runtime.clock.now()
    return {"now": now, "iso": iso_ms(now), "frozen": runtime.clock.frozen}


def chrome(runtime, active: str) -> dict:
    """Context of base.html: navigation, the clock, and the reset dialog's scopes."""
    conn = runtime.db.conn()
    return {
        "active": active, "providers": list(PROVIDERS), "clock": clock_state(runtime),
        "accounts": [(a.id, a.provider) for a in accounts.list_all(conn, None)],
    }


def rows(runtime, messages: list[Message]) -> list[dict]:
    return message_views(runtime, messages)


def query_string(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})

