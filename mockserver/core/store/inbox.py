"""Read-only queries behind the web inbox and the stream's change watcher: a number in any written
form, the message list with one search box, a per-number thread, and "what changed since" probes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from mockserver.core import phone
from mockserver.core.models import Inbound, Message, WebhookAttempt
from mockserver.core.store.inspect import MessageQuery, _where
from mockserver.core.store.rows import to_models

#: Regions tried for a number written in national form ("0917 123 4567"): the fixtures' markets first.
_REGIONS = (None, "PH", "TH", "US", "GB", "SG", "MY", "ID", "VN", "IN", "PK", "AU", "CN", "DE", "FR", "JP")

_INDEXES = (
    # The stream's watcher asks "which messages changed since t" once a second.
    "CREATE INDEX IF NOT EXISTS ix_message_updated ON message(updated_at)",
)


def ensure_indexes(conn: sqlite3.Connection) -> None:
    """Indexes only the inbox needs (idempotent; created when the inbox is mounted)."""
    for ddl in _INDEXES:
        conn.execute(ddl)


def number_forms(text: str) -> list[str]:
    """Every stored spelling a number may have: digits, +digits, E.164 with and without '+', and
    the national form with a trunk 0, for the number read as international or as a national one."""
    raw = text.strip()
    digits = phone.digits_only(raw)
    if len(digits) < 5:
        return []
    forms = {digits, "+" + digits, raw}
    for region in _REGIONS:
        parsed = phone.parse(raw, region)
        if parsed is None or not parsed.is_valid:
            continue
        forms.update({parsed.e164, parsed.e164[1:], "0" + parsed.national, parsed.national})
    return sorted(forms)


#: A number is looked for among the first NUMBER_SCAN recipients of each send: recipient ids of a
#: message are contiguous, so this is a bounded primary-key range scan. There is no msisdn index on
#: purpose: it would slow the 2,000,000-recipient insert by about half (performance notes).
NUMBER_SCAN = 1000
_FIRST_RECIPIENTS = (f"r.id BETWEEN m.first_recipient_id AND min(m.last_recipient_id, "
                     f"m.first_recipient_id + {NUMBER_SCAN - 1})")


@dataclass
class InboxQuery:
    base: MessageQuery
    search: str | None = None  # one box: a number in any form, a sender, or text in the body


def search_page(conn: sqlite3.Connection, q: InboxQuery, limit: int) -> list[Message]:
    """Newest first, keyset on id (q.base.before_id); the search box matches number, sender or body."""
    where, args = _where(q.base)
    if q.search:
        ors, oargs = ["m.sender = ?", "m.body LIKE ? ESCAPE '\\'"], [q.search.strip(), _like(q.search.strip())]
        forms = number_forms(q.search)
        if forms:
            ors.append(f"EXISTS (SELECT 1 FROM recipient r WHERE {_FIRST_RECIPIENTS} "
                       f"AND r.msisdn IN ({','.join('?' * len(forms))}))")
            oargs += forms
        where.append("(" + " OR ".join(ors) + ")")
        args += oargs
    sql = f"SELECT m.* FROM message m WHERE {' AND '.join(where)} ORDER BY m.id DESC LIMIT ?"
    return to_models(Message, conn.execute(sql, [*args, limit]))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass
class ThreadItem:
    """One bubble: an outbound recipient row of a message, or an inbound message."""

    at: float
    direction: str  # "out" | "in"
    message: Message | None = None
    recipient_status: str | None = None
    recipient_id: int | None = None
    inbound: Inbound | None = None


def thread(conn: sqlite3.Connection, number: str, limit: int = 200) -> list[ThreadItem]:
    """Everything exchanged with one handset, oldest first: messages sent to it and MOs from it."""
    forms = number_forms(number) or [number]
    marks = ",".join("?" * len(forms))
    # Newest sends first, each probed over its first recipients (see NUMBER_SCAN).
    rows = conn.execute(
        f"SELECT r.id AS rid, r.status AS rstatus, m.* FROM message m CROSS JOIN recipient r "
        f"ON {_FIRST_RECIPIENTS} WHERE r.msisdn IN ({marks}) ORDER BY m.id DESC LIMIT ?", [*forms, limit]).fetchall()
    items = []
    for row in rows:
        data = dict(row)
        rid, rstatus = data.pop("rid"), data.pop("rstatus")
        msg = Message.model_construct(**data)
        items.append(ThreadItem(msg.created_at, "out", msg, rstatus, rid))
    inbound = to_models(Inbound, conn.execute(
        f"SELECT * FROM inbound WHERE sender IN ({marks}) ORDER BY id DESC LIMIT ?", [*forms, limit]))
    items += [ThreadItem(i.received_at, "in", inbound=i) for i in inbound]
    items.sort(key=lambda it: (it.at, 0 if it.direction == "out" else 1))
    return items[-limit:]


def recent_numbers(conn: sqlite3.Connection, limit: int = 30) -> list[str]:
    """Numbers of the latest single-recipient sends and inbound senders (the thread picker)."""
    rows = conn.execute(
        "SELECT r.msisdn FROM message m JOIN recipient r ON r.id = m.first_recipient_id "
        "ORDER BY m.id DESC LIMIT ?", (limit * 3,)).fetchall()
    rows += conn.execute("SELECT sender FROM inbound ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    seen: dict[str, None] = {}
    for (num,) in rows:
        seen.setdefault(num, None)
    return list(seen)[:limit]


@dataclass
class Marks:
    """Watermarks of the change watcher: the last event, attempt and message update it has seen."""

    event_id: int = 0
    attempt_id: int = 0
    updated_at: float = 0.0
    message_id: int = 0


def marks_now(conn: sqlite3.Connection) -> Marks:
    # fetchall, not fetchone: an unfinished statement keeps its read snapshot open, and this
    # connection's next probe would not see later commits.
    row = conn.execute("SELECT (SELECT coalesce(max(id), 0) FROM event), (SELECT coalesce(max(id), 0) "
                       "FROM webhookattempt), (SELECT coalesce(max(updated_at), 0) FROM message), "
                       "(SELECT coalesce(max(id), 0) FROM message)").fetchall()[0]
    return Marks(row[0], row[1], row[2], row[3])


def changes_since(conn: sqlite3.Connection, marks: Marks, limit: int = 200) -> tuple[list[sqlite3.Row], list[dict[str, Any]], Marks]:
    """Messages changed (a new timeline event, or a newer updated_at for untracked big sends) and
    webhook attempts logged since `marks`; returns them with the new marks. All keyset or indexed."""
    now = marks_now(conn)
    if now.event_id < marks.event_id or now.attempt_id < marks.attempt_id:
        return [], [], now  # a reset reused ids: start over from here
    # A new message's own 'queued'/'scheduled' events are its creation (published by submit), not a change.
    msgs = conn.execute(
        "SELECT id, provider, account_id, status FROM message WHERE id IN ("
        "SELECT message_id FROM event WHERE id > ? AND id <= ? AND (message_id <= ? OR status NOT IN "
        "('queued', 'scheduled')) UNION SELECT id FROM message WHERE updated_at > ? AND updated_at <= ? "
        "AND updated_at > created_at) ORDER BY id LIMIT ?",
        (marks.event_id, now.event_id, marks.message_id, marks.updated_at, now.updated_at, limit)).fetchall()
    attempts = conn.execute(
        "SELECT a.id, a.webhook_id, a.attempt, a.response_status, a.error, w.message_id, w.provider, "
        "w.account_id, w.kind, w.status FROM webhookattempt a JOIN webhook w ON w.id = a.webhook_id "
        "WHERE a.id > ? AND a.id <= ? ORDER BY a.id LIMIT ?", (marks.attempt_id, now.attempt_id, limit)).fetchall()
    return msgs, [dict(a) for a in attempts], now


def attempts_of(conn: sqlite3.Connection, webhook_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """Attempt logs of many webhooks in one query (the webhooks page)."""
    if not webhook_ids:
        return {}
    rows = to_models(WebhookAttempt, conn.execute(
        f"SELECT * FROM webhookattempt WHERE webhook_id IN ({','.join('?' * len(webhook_ids))}) ORDER BY id",
        webhook_ids))
    out: dict[int, list[WebhookAttempt]] = {}
    for a in rows:
        out.setdefault(a.webhook_id, []).append(a)
    return out
