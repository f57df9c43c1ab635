"""Read side: one send with drSummary, the newest-first list, and keyset pages of recipients.

Totals come from core's kept per-status counters (O(1) even for 2M recipients); recipient pages are
keyset on the integer recipient id (a send's recipients are contiguous), never OFFSET.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.core.models import Message
from mockserver.core.store import message_lists, messages, recipients
from mockserver.providers.mesms import statuses
from mockserver.providers.mesms import NAME
from mockserver.providers.mesms.compose import iso
from mockserver.providers.mesms.errors import bad_request


def message_view(conn, msg: Message, counts: dict[str, int] | None = None) -> dict[str, Any]:
    counts = messages.counts(conn, msg.id) if counts is None else counts
    meta = json.loads(msg.meta or "{}")
    word = statuses.message_word(msg.status, counts.get("delivered", 0))
    summary = statuses.summary(counts)
    return {
        "uuid": msg.public_id, "status": word, "sender": msg.sender, "content": msg.body, "encoding": msg.encoding,
        "parts": msg.parts, "credits": msg.credits, "recipients": msg.recipient_count,
        "accepted": msg.recipient_count - counts.get("invalid", 0), "invalid": counts.get("invalid", 0),
        "duplicates": meta.get("duplicates", 0), "templateId": meta.get("templateId"),
        "contactGroupId": meta.get("contactGroupId"), "retryOf": meta.get("retryOf"),
        "scheduledTime": iso(msg.scheduled_at), "createdAt": iso(msg.created_at),
        "completedAt": iso(msg.completed_at),
        # The vendor gives drSummary "once the send is complete"; null before (DESIGNED shape: word -> count).
        "drSummary": summary if msg.status in ("completed", "cancelled") else None,
    }


def list_view(conn, account_id: str, status: str | None, cursor: str | None, limit: int) -> dict[str, Any]:
    if status is not None and status not in statuses.MESSAGE_WORDS:
        raise bad_request(f"status must be one of {' | '.join(statuses.MESSAGE_WORDS)}")
    before = _int_cursor(cursor, "cursor") if cursor else None
    store_status, delivered = {
        None: (None, None), "scheduled": (["scheduled"], None), "cancelled": (["cancelled"], None),
        "pending": (["queued"], None), "sent": (["completed"], True), "failed": (["completed"], False),
    }[status]
    rows = message_lists.list_for_account(conn, NAME, account_id, store_status, delivered, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    data = [message_view(conn, message_lists.to_message(r)) for r in rows]
    return {"data": data, "nextCursor": str(rows[-1]["id"]) if more else None, "hasMore": more}


def recipients_view(conn, msg: Message, *, after: str | None, page: int, limit: int,
                    status: str | None) -> dict[str, Any]:
    """With `after`: nextCursor + hasMore; without: page + total (from counters). summary[] always."""
    if status is not None and status not in statuses.NEUTRAL_OF:  # the vendor's seven words
        raise bad_request(f"status must be one of {' | '.join(statuses.NEUTRAL_OF)}")
    counts = messages.counts(conn, msg.id)
    summary = [{"status": w, "count": n} for w, n in statuses.summary(counts).items()]
    neutral = statuses.NEUTRAL_OF[status] if status else None
    lo = msg.first_recipient_id or 1
    hi = msg.last_recipient_id if msg.last_recipient_id is not None else lo - 1
    base = {"uuid": msg.public_id, "summary": summary}
    if after is not None:
        position = _int_cursor(after, "after")
        rows = recipients.page_rows(conn, lo, hi, lo - 1 + position, limit + 1, neutral)
        more = len(rows) > limit
        rows = rows[:limit]
        data = [_recipient(r, lo) for r in rows]
        return {**base, "data": data, "nextCursor": data[-1]["cursor"] if data else position, "hasMore": more}
    total = sum(n for s, n in counts.items() if neutral is None or s in neutral)
    if neutral is None:  # the page start is pure arithmetic on the contiguous ids: still keyset
        rows = recipients.page_rows(conn, lo, hi, lo - 1 + (page - 1) * limit, limit, None)
    else:  # a filtered page number needs an offset; the vendor points large lists at `after`
        rows = recipients.page_rows(conn, lo, hi, lo - 1, limit, neutral, offset=(page - 1) * limit)
    return {**base, "data": [_recipient(r, lo) for r in rows], "page": page, "limit": limit, "total": total}


def _recipient(row, lo: int) -> dict[str, Any]:
    rid, msisdn, status, updated_at, sent_at, done_at = row
    item = {"cursor": rid - lo + 1, "msisdn": msisdn, "status": statuses.recipient_word(status),
            "sentAt": iso(sent_at), "doneAt": iso(done_at), "updatedAt": iso(updated_at)}
    reason = statuses.RECIPIENT_REASON.get(status)
    if reason is not None:
        item["reason"] = reason
    return item


def _int_cursor(value: str, name: str) -> int:
    # isdigit() admits '²', which int() refuses; no row lies past 2**62, so a larger cursor reads as the
    # end of the list instead of overflowing SQLite's INTEGER.
    if not (value.isascii() and value.isdigit()):
        raise bad_request(f"{name} must be a non-negative integer cursor")
    return min(int(value), 2**62)
