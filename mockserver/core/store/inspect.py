"""Read-only queries behind the control API's inspection endpoints: messages across providers
with any-recipient filters, keyset-paged both ways. Provider routes use store.messages instead.

The filters shape each query: one statement per shape (which filters, how many values each), compiled
once and cached; every value is a parameter. The fixed lookups are module-level statements."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

from sqlalchemy import BigInteger, ColumnElement, bindparam, false, literal_column, or_, select, true

from mockserver.core import phone
from mockserver.core.db.sql import Statement, run
from mockserver.core.models import Message, MessageCount, Recipient, Sender
from mockserver.core.store.rows import to_models

#: The aliases the inspection queries (and store/inbox.py's, which add to them) are written over.
m = Message.__table__.alias("m")
r = Recipient.__table__.alias("r")
_c = MessageCount.__table__.alias("c")
_recipient = Recipient.__table__
_sender = Sender.__table__
_ONE = literal_column("1")
# Ids a client sends (a path, a cursor) bind as BIGINT: psycopg's dialect casts an Integer parameter to
# INTEGER, which fails on ids past 2**31 (the id columns are INTEGER; such an id must find nothing).


@dataclass
class MessageQuery:
    provider: str | None = None
    account_id: str | None = None
    to: str | None = None  # any recipient's number in any written form (09…, 639…, +639…)
    sender: str | None = None
    statuses: Sequence[str] = ()  # at least one recipient in one of these (neutral) statuses
    message_statuses: Sequence[str] = ()  # the message's own status: scheduled|queued|completed|cancelled
    text: str | None = None  # substring of the body
    public_id: str | None = None  # the submission's vendor id or any of its recipients' ids
    since: float | None = None  # created_at >= since
    until: float | None = None  # created_at <= until
    after_id: int | None = None  # oldest first, ids > after_id
    before_id: int | None = None  # newest first, ids < before_id


Shape = tuple[tuple[str, int], ...]


def one_of(column: ColumnElement, name: str, n: int, negate: bool = False) -> ColumnElement:
    """column [NOT] IN (:name0, ..., :name<n-1>): one parameter per value (an expanding IN needs
    SQLAlchemy's execution layer, which the store does not use); n = 0: nothing is in no values."""
    if not n:
        return true() if negate else false()
    binds = [bindparam(f"{name}{i}", type_=column.type) for i in range(n)]
    return column.not_in(binds) if negate else column.in_(binds)


def numbered(name: str, values: Iterable[Any]) -> dict[str, Any]:
    """The parameters of one_of(column, name, ...)."""
    return {f"{name}{i}": v for i, v in enumerate(values)}


def escape_like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards escaped with a backslash."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def prepare(q: MessageQuery) -> tuple[Shape, dict[str, Any]]:
    """The query's shape (which filters, how many values each: the key of its cached statement) and the
    values of its parameters."""
    scalars = {name: getattr(q, name) for name in ("provider", "account_id", "sender", "public_id", "since", "until",
                                                   "after_id", "before_id") if getattr(q, name) is not None}
    if q.text:
        scalars["text"] = escape_like(q.text)
    forms = (phone.written_forms(q.to) or [q.to.strip()]) if q.to else []
    lists = {"message_status": list(q.message_statuses), "status": list(q.statuses), "to": forms}
    shape = tuple((name, 1) for name in scalars) + tuple((name, len(v)) for name, v in lists.items() if v)
    params = {**scalars, **{k: v for name, values in lists.items() for k, v in numbered(name, values).items()}}
    return shape, params


def filters(shape: Shape) -> list[ColumnElement]:
    """The conditions of a query of this shape over the alias m (see prepare)."""
    have = dict(shape)
    where: list[ColumnElement] = [m.c[col] == bindparam(col) for col in ("provider", "account_id", "sender") if col in have]
    if "public_id" in have:
        # A vendor id names a submission (plan, uuid) or one destination of it (Cast, EngageLab targets).
        where.append(or_(m.c.public_id == bindparam("public_id"), m.c.id.in_(
            select(_recipient.c.message_id).where(_recipient.c.public_id == bindparam("public_id")))))
    if "message_status" in have:
        where.append(one_of(m.c.status, "message_status", have["message_status"]))
    if "status" in have:
        # The kept per-status counters answer this in O(1) per message, even for 2M recipients.
        where.append(select(_ONE).where(_c.c.message_id == m.c.id, _c.c.n > literal_column("0"),
                                        one_of(_c.c.status, "status", have["status"])).exists())
    if "to" in have:
        # Recipient ids of a message are contiguous, so this is a primary-key range scan.
        where.append(select(_ONE).where(r.c.id.between(m.c.first_recipient_id, m.c.last_recipient_id),
                                        one_of(r.c.msisdn, "to", have["to"])).exists())
    if "text" in have:
        # ilike: SQLite's LIKE already ignores ASCII case; PostgreSQL's ILIKE does the same.
        where.append(m.c.body.ilike(bindparam("text"), escape="\\"))
    for col, op, name in (("created_at", "__ge__", "since"), ("created_at", "__le__", "until"),
                          ("id", "__gt__", "after_id"), ("id", "__lt__", "before_id")):
        if name in have:
            where.append(getattr(m.c[col], op)(bindparam(name, type_=m.c[col].type if col == "created_at" else BigInteger)))
    return where


@lru_cache(maxsize=256)
def _search_statement(shape: Shape, oldest_first: bool) -> Statement:
    order = m.c.id.asc() if oldest_first else m.c.id.desc()
    return Statement(select(m).where(*filters(shape)).order_by(order).limit(bindparam("limit")))


def search_messages(conn: sqlite3.Connection, q: MessageQuery, limit: int, oldest_first: bool = False) -> list[Message]:
    """Matching messages, newest first unless asked otherwise (after_id/before_id are the keyset)."""
    shape, params = prepare(q)
    return to_models(Message, run(conn, _search_statement(shape, oldest_first), {**params, "limit": limit}))


@lru_cache(maxsize=64)
def _numbers_statement(n: int) -> Statement:
    return Statement(select(_recipient.c.id, _recipient.c.msisdn).where(one_of(_recipient.c.id, "id", n)))


def first_numbers(conn: sqlite3.Connection, recipient_ids: Sequence[int]) -> dict[int, str]:
    """msisdn of each given recipient id (a message's first recipient stands for its 'to')."""
    ids = [i for i in recipient_ids if i is not None]
    if not ids:
        return {}
    rows = run(conn, _numbers_statement(len(ids)), numbered("id", ids))
    return {row[0]: row[1] for row in rows}


_ACCOUNTS_WITH_NUMBER = Statement(
    select(_sender.c.account_id).distinct()
    .where(_sender.c.provider == bindparam("provider"), _sender.c.name.in_([bindparam("digits"), bindparam("plus")]))
    .order_by(_sender.c.account_id))
_MESSAGE_BY_ID = Statement(select(m).where(m.c.id == bindparam("id", type_=BigInteger)))
_MESSAGE_BY_PUBLIC_ID = Statement(select(m).where(m.c.public_id == bindparam("ref")).order_by(m.c.id.desc()).limit(1))
# ix_recipient_public (partial, non-null ids only) answers this without a scan.
_MESSAGE_BY_RECIPIENT_ID = Statement(
    select(m).select_from(r.join(m, m.c.id == r.c.message_id)).where(r.c.public_id == bindparam("ref"))
    .order_by(m.c.id.desc()).limit(1))


def accounts_with_number(conn: sqlite3.Connection, provider: str, number: str) -> list[str]:
    """Accounts of a provider that own `number` as a sender (virtual number), '+' ignored."""
    digits = number.strip().lstrip("+")
    rows = run(conn, _ACCOUNTS_WITH_NUMBER, {"provider": provider, "digits": digits, "plus": "+" + digits})
    return [row[0] for row in rows]


def find_message(conn: sqlite3.Connection, ref: str, max_id: int = 2**63 - 1) -> Message | None:
    """A message by the sandbox's integer id, else by any id a vendor API returned for it: the
    submission's (plan_id, uuid, msgId) or one destination's (Cast or EngageLab message_id). The
    integer id wins a clash; among vendor ids the newest message does."""
    if ref.isascii() and ref.isdecimal() and int(ref) <= max_id:
        row = run(conn, _MESSAGE_BY_ID, {"id": int(ref)}).fetchone()
        if row is not None:
            return to_models(Message, [row])[0]
    for statement in (_MESSAGE_BY_PUBLIC_ID, _MESSAGE_BY_RECIPIENT_ID):
        row = run(conn, statement, {"ref": ref}).fetchone()
        if row is not None:
            return to_models(Message, [row])[0]
    return None
