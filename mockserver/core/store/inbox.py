"""Read-only queries behind the web inbox and the stream's change watcher: a number in any written
form, the message list with one search box, a per-number thread, and "what changed since" probes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal_column, or_, select, union

from mockserver.core import phone
from mockserver.core.db.functions import least
from mockserver.core.db.sql import Pair, Statement, run
from mockserver.core.models import Event, Inbound, Message, Webhook, WebhookAttempt
from mockserver.core.store.inspect import MessageQuery, Shape, escape_like, filters, m, numbered, one_of, prepare, r
from mockserver.core.store.rows import to_models

_inbound = Inbound.__table__
_event = Event.__table__
_message = Message.__table__
_attempt = WebhookAttempt.__table__.alias("a")
_webhook = Webhook.__table__.alias("w")

#: Regions tried for a number written in national form ("0917 123 4567"): the fixtures' markets first.
_REGIONS = (None, "PH", "TH", "US", "GB", "SG", "MY", "ID", "VN", "IN", "PK", "AU", "CN", "DE", "FR", "JP")

# DDL, not a query: left as text for the migrations (moving to Alembic), like the outbox's upgrade.
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


def _first_recipients() -> ColumnElement:
    """r is among the first NUMBER_SCAN recipients of m."""
    return r.c.id.between(m.c.first_recipient_id, least(m.c.last_recipient_id, m.c.first_recipient_id
                                                         + literal_column(str(NUMBER_SCAN - 1))))


@dataclass
class InboxQuery:
    base: MessageQuery
    search: str | None = None  # one box: a number in any form, a sender, or text in the body


@lru_cache(maxsize=256)
def _search_statement(shape: Shape, search: bool, forms: int) -> Statement:
    where = filters(shape)
    if search:
        ors = [m.c.sender == bindparam("search"), m.c.body.ilike(bindparam("search_like"), escape="\\")]
        if forms:
            ors.append(select(literal_column("1")).where(_first_recipients(), one_of(r.c.msisdn, "form", forms)).exists())
        where.append(or_(*ors))
    return Statement(select(m).where(*where).order_by(m.c.id.desc()).limit(bindparam("limit")))


def search_page(conn: sqlite3.Connection, q: InboxQuery, limit: int) -> list[Message]:
    """Newest first, keyset on id (q.base.before_id); the search box matches number, sender or body."""
    shape, params = prepare(q.base)
    forms: list[str] = []
    if q.search:
        text = q.search.strip()
        forms = number_forms(q.search)
        params.update(search=text, search_like=escape_like(text), **numbered("form", forms))
    statement = _search_statement(shape, bool(q.search), len(forms))
    return to_models(Message, run(conn, statement, {**params, "limit": limit}))


@dataclass
class ThreadItem:
    """One bubble: an outbound recipient row of a message, or an inbound message."""

    at: float
    direction: str  # "out" | "in"
    message: Message | None = None
    recipient_status: str | None = None
    recipient_id: int | None = None
    inbound: Inbound | None = None


@lru_cache(maxsize=32)
def _thread_outbound(forms: int) -> Pair:
    """A number's sends, newest first, each probed over its first recipients (see NUMBER_SCAN). SQLite's
    CROSS JOIN keeps message the outer loop (recipient has no msisdn index: the other order would scan
    it); PostgreSQL's planner orders the join itself. One text per number of forms of the number."""
    sqlite_marks = ", ".join(f":n{i}" for i in range(forms))
    pg_marks = ", ".join(f"%(n{i})s" for i in range(forms))
    return Pair(
        sqlite=("SELECT r.id AS rid, r.status AS rstatus, m.* FROM message m CROSS JOIN recipient r "
                f"ON r.id BETWEEN m.first_recipient_id AND min(m.last_recipient_id, m.first_recipient_id + {NUMBER_SCAN - 1}) "
                f"WHERE r.msisdn IN ({sqlite_marks}) ORDER BY m.id DESC LIMIT :limit"),
        postgresql=("SELECT r.id AS rid, r.status AS rstatus, m.* FROM message m JOIN recipient r "
                    f"ON r.id BETWEEN m.first_recipient_id AND LEAST(m.last_recipient_id, m.first_recipient_id + {NUMBER_SCAN - 1}) "
                    f"WHERE r.msisdn IN ({pg_marks}) ORDER BY m.id DESC LIMIT %(limit)s"))


@lru_cache(maxsize=32)
def _thread_inbound(forms: int) -> Statement:
    return Statement(select(_inbound).where(one_of(_inbound.c.sender, "n", forms))
                     .order_by(_inbound.c.id.desc()).limit(bindparam("limit")))


def thread(conn: sqlite3.Connection, number: str, limit: int = 200) -> list[ThreadItem]:
    """Everything exchanged with one handset, oldest first: messages sent to it and MOs from it."""
    forms = number_forms(number) or [number]
    params = {"limit": limit, **numbered("n", forms)}
    items = []
    for row in run(conn, _thread_outbound(len(forms)), params).fetchall():
        data = dict(row)
        rid, rstatus = data.pop("rid"), data.pop("rstatus")
        msg = Message.model_construct(**data)
        items.append(ThreadItem(msg.created_at, "out", msg, rstatus, rid))
    inbound = to_models(Inbound, run(conn, _thread_inbound(len(forms)), params))
    items += [ThreadItem(i.received_at, "in", inbound=i) for i in inbound]
    items.sort(key=lambda it: (it.at, 0 if it.direction == "out" else 1))
    return items[-limit:]


_RECENT_SENT = Statement(select(r.c.msisdn).select_from(m.join(r, r.c.id == m.c.first_recipient_id))
                         .order_by(m.c.id.desc()).limit(bindparam("limit")))
_RECENT_INBOUND = Statement(select(_inbound.c.sender).order_by(_inbound.c.id.desc()).limit(bindparam("limit")))


def recent_numbers(conn: sqlite3.Connection, limit: int = 30) -> list[str]:
    """Numbers of the latest single-recipient sends and inbound senders (the thread picker)."""
    rows = run(conn, _RECENT_SENT, {"limit": limit * 3}).fetchall()
    rows += run(conn, _RECENT_INBOUND, {"limit": limit}).fetchall()
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


def _newest(column) -> ColumnElement:
    return select(func.coalesce(func.max(column), literal_column("0"))).scalar_subquery()


_MARKS = Statement(select(_newest(_event.c.id), _newest(WebhookAttempt.__table__.c.id),
                          _newest(_message.c.updated_at), _newest(_message.c.id)))
_changed = _message.alias("changed")
# A new message's own 'queued'/'scheduled' events are its creation (published by submit), not a change.
_CHANGED_MESSAGES = Statement(
    select(_message.c.id, _message.c.provider, _message.c.account_id, _message.c.status)
    .where(_message.c.id.in_(union(
        select(_event.c.message_id).where(
            _event.c.id > bindparam("event_after"), _event.c.id <= bindparam("event_upto"),
            or_(_event.c.message_id <= bindparam("message_upto"),
                _event.c.status.not_in([literal_column("'queued'"), literal_column("'scheduled'")]))),
        select(_changed.c.id).where(
            _changed.c.updated_at > bindparam("updated_after"), _changed.c.updated_at <= bindparam("updated_upto"),
            _changed.c.updated_at > _changed.c.created_at))))
    .order_by(_message.c.id).limit(bindparam("limit")))
_NEW_ATTEMPTS = Statement(
    select(_attempt.c.id, _attempt.c.webhook_id, _attempt.c.attempt, _attempt.c.response_status, _attempt.c.error,
           _webhook.c.message_id, _webhook.c.provider, _webhook.c.account_id, _webhook.c.kind, _webhook.c.status)
    .select_from(_attempt.join(_webhook, _webhook.c.id == _attempt.c.webhook_id))
    .where(_attempt.c.id > bindparam("after"), _attempt.c.id <= bindparam("upto"))
    .order_by(_attempt.c.id).limit(bindparam("limit")))


def marks_now(conn: sqlite3.Connection) -> Marks:
    # fetchall, not fetchone: an unfinished statement keeps its read snapshot open, and this
    # connection's next probe would not see later commits.
    row = run(conn, _MARKS).fetchall()[0]
    return Marks(row[0], row[1], row[2], row[3])


def changes_since(conn: sqlite3.Connection, marks: Marks, limit: int = 200) -> tuple[list[sqlite3.Row], list[dict[str, Any]], Marks]:
    """Messages changed (a new timeline event, or a newer updated_at for untracked big sends) and
    webhook attempts logged since `marks`; returns them with the new marks. All keyset or indexed."""
    now = marks_now(conn)
    if now.event_id < marks.event_id or now.attempt_id < marks.attempt_id:
        return [], [], now  # a reset reused ids: start over from here
    msgs = run(conn, _CHANGED_MESSAGES, {
        "event_after": marks.event_id, "event_upto": now.event_id, "message_upto": marks.message_id,
        "updated_after": marks.updated_at, "updated_upto": now.updated_at, "limit": limit}).fetchall()
    attempts = run(conn, _NEW_ATTEMPTS, {"after": marks.attempt_id, "upto": now.attempt_id, "limit": limit}).fetchall()
    return msgs, [dict(a) for a in attempts], now


@lru_cache(maxsize=64)
def _attempts_of_statement(n: int) -> Statement:
    attempt = WebhookAttempt.__table__
    return Statement(select(attempt).where(one_of(attempt.c.webhook_id, "id", n)).order_by(attempt.c.id))


def attempts_of(conn: sqlite3.Connection, webhook_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """Attempt logs of many webhooks in one query (the webhooks page)."""
    if not webhook_ids:
        return {}
    rows = to_models(WebhookAttempt, run(conn, _attempts_of_statement(len(webhook_ids)), numbered("id", webhook_ids)))
    out: dict[int, list[WebhookAttempt]] = {}
    for a in rows:
        out.setdefault(a.webhook_id, []).append(a)
    return out


# The inbox's unread count: what arrived after the newest ids a browser saw.
_NEWER_MESSAGES = Statement(select(func.count()).where(_message.c.id > bindparam("since")))
_NEWER_INBOUND = Statement(select(func.count()).where(_inbound.c.id > bindparam("since")))
_LATEST = Statement(select(select(func.coalesce(func.max(_message.c.id), 0)).scalar_subquery(),
                           select(func.coalesce(func.max(_inbound.c.id), 0)).scalar_subquery()))


def latest(conn: sqlite3.Connection) -> tuple[int, int]:
    """(newest message id, newest inbound id), 0 for none."""
    row = run(conn, _LATEST).fetchone()
    return int(row[0]), int(row[1])


def newer_than(conn: sqlite3.Connection, message_id: int, inbound_id: int) -> int:
    """How many messages and inbound messages have ids above the given ones."""
    return (run(conn, _NEWER_MESSAGES, {"since": message_id}).fetchone()[0]
            + run(conn, _NEWER_INBOUND, {"since": inbound_id}).fetchone()[0])
