"""GET /v1/messages/sms: filters mapped onto core's MessageFilter and an opaque keyset cursor.

The cursor encodes the id of the last message served; the next page is "older than that id", so
pages stay stable while new messages arrive and no query ever uses OFFSET.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockserver.core.clock import parse_iso
from mockserver.core.store.message_lists import MessageFilter, list_newest
from mockserver.providers.smscpr import NAME, service_plans
from mockserver.providers.smscpr.auth import Caller
from mockserver.providers.smscpr.errors import invalid
from mockserver.providers.smscpr.receipts import render_row
from mockserver.providers.smscpr.statuses import VENDOR_WORDS, neutral_statuses

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

_CURSOR_PREFIX = "v1:"


@dataclass
class LogQuery:
    status: str | None = None
    sender: str | None = None
    to: str | None = None
    sent_since: str | None = None
    sent_until: str | None = None
    limit: int = 50
    cursor: str | None = None


def encode_cursor(message_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{message_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        digits = text[len(_CURSOR_PREFIX):]
        if text.startswith(_CURSOR_PREFIX) and digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(digits)  # at most 18 digits: always a valid SQLite integer
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid("cursor", "is not a cursor this API returned")


def _statuses(value: str) -> list[str]:
    out: list[str] = []
    for word in (w.strip() for w in value.split(",")):
        found = neutral_statuses(word)
        if not found:
            raise invalid("status", f"unknown status {word[:20]!r}; one of {', '.join(VENDOR_WORDS)}")
        out += found
    return out


def _time(field: str, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise invalid(field, "must be an ISO-8601 date-time such as 2026-06-22T05:10:03.120Z") from None


def _until(value: str | None) -> float | None:
    # Receipts show milliseconds, so an inclusive bound covers the whole millisecond it names.
    bound = _time("sentUntil", value)
    return None if bound is None else bound + 0.000999


def _filter(caller: Caller, q: LogQuery) -> MessageFilter:
    return MessageFilter(
        provider=NAME, account_id=caller.account.id, sender=q.sender, to=q.to,
        recipient_statuses=_statuses(q.status) if q.status else None,
        since=_time("sentSince", q.sent_since), until=_until(q.sent_until),
        before_id=decode_cursor(q.cursor) if q.cursor else None,
    )


def list_receipts(runtime: Runtime, caller: Caller, q: LogQuery) -> dict:
    """One page of the caller's messages, newest first, with the cursor of the next page."""
    rows = list_newest(runtime.db.conn(), _filter(caller, q), q.limit + 1)
    page, more = rows[: q.limit], len(rows) > q.limit
    account_id = service_plans.account_id_of(caller.account)
    results = [render_row(account_id, r, r["r_msisdn"], r["r_status"], r["r_sent_at"], r["r_done_at"])
               for r in page]
    return {"results": results, "nextCursor": encode_cursor(page[-1]["id"]) if more else None}
