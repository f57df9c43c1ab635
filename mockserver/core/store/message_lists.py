"""Lists of messages, newest first: the neutral filters providers map their query parameters onto
(MessageFilter, list_newest, with each message's first recipient), and an account's messages filtered by
status and delivery (list_for_account). Statements are compiled per combination of filters present."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import bindparam, exists, literal_column, not_, select

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import Message, MessageCount, Recipient
from mockserver.core.store.binds import big_id, in_list, in_params

_m, _r, _c = Message.__table__, Recipient.__table__, MessageCount.__table__


@dataclass
class MessageFilter:
    """Neutral filters; each provider maps its query parameters onto these."""

    provider: str | None = None
    account_id: str | None = None
    message_statuses: Iterable[str] | None = None
    recipient_statuses: Iterable[str] | None = None  # status of the first recipient (single sends)
    channel: str | None = None
    sender: str | None = None
    to: str | None = None  # matches the first recipient
    text: str | None = None  # substring of the body or the first recipient's number
    since: float | None = None
    until: float | None = None
    before_id: int | None = None  # keyset: newest first, rows with id < before_id


#: MessageFilter's single-valued filters: (field, column of message m / recipient r, operator).
_EQUALS = (("provider", "m", "provider", "eq"), ("account_id", "m", "account_id", "eq"),
           ("channel", "m", "channel", "eq"), ("sender", "m", "sender", "eq"), ("to", "r", "msisdn", "eq"),
           ("since", "m", "created_at", "ge"), ("until", "m", "created_at", "le"), ("before_id", "m", "id", "lt"))
_BOUNDS = ("since", "until", "before_id")  # applied when not None (the others when not empty)


def list_newest(conn: sqlite3.Connection, flt: MessageFilter, limit: int, offset: int = 0) -> list[sqlite3.Row]:
    """Messages newest first with their first recipient's number and status (keyset or offset)."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    present = tuple(f for f, *_ in _EQUALS if (getattr(flt, f) is not None if f in _BOUNDS else getattr(flt, f)))
    params.update({f: getattr(flt, f) for f in present})
    m_statuses, r_statuses = list(flt.message_statuses or ()), list(flt.recipient_statuses or ())
    params.update(**in_params("m_status", m_statuses), **in_params("r_status", r_statuses))
    if flt.text:
        params.update(text=flt.text, pattern=f"%{flt.text}%")
    statement = _list_newest(present, len(m_statuses), len(r_statuses), bool(flt.text))
    return run(conn, statement, params).fetchall()


@lru_cache(maxsize=256)
def _list_newest(present: tuple[str, ...], m_statuses: int, r_statuses: int, text: bool) -> Statement:
    """list_newest's statement for one combination of filters (a few dozen occur)."""
    m, r = _m.alias("m"), _r.alias("r")
    tables = {"m": m, "r": r}
    where = [getattr(tables[t].c[column], f"__{op}__")(big_id(field) if field == "before_id" else bindparam(field))
             for field, t, column, op in _EQUALS if field in present]
    if m_statuses:
        where.append(in_list(m.c.status, "m_status", m_statuses))
    if r_statuses:
        where.append(in_list(r.c.status, "r_status", r_statuses))
    if text:  # ilike: SQLite's LIKE ignores ASCII case, and the callers rely on it on both engines
        where.append(m.c.body.ilike(bindparam("pattern")) | r.c.msisdn.ilike(bindparam("pattern"))
                     | (m.c.public_id == bindparam("text")))
    first = ("msisdn", "status", "sent_at", "done_at", "updated_at", "outcome")
    columns = [m, *(r.c[c].label(f"r_{c}") for c in first)]
    return Statement(select(*columns).select_from(m.outerjoin(r, r.c.id == m.c.first_recipient_id)).where(*where)
                     .order_by(m.c.id.desc()).limit(bindparam("limit")).offset(bindparam("offset")))


def to_message(row: sqlite3.Row) -> Message:
    data = {k: row[k] for k in row.keys() if not k.startswith("r_")}
    return Message.model_construct(**data)



@lru_cache(maxsize=64)
def _list_for_account(statuses: int, delivered: bool | None, before: bool) -> Statement:
    where = [_m.c.provider == bindparam("provider"), _m.c.account_id == bindparam("account_id")]
    if statuses:
        where.append(in_list(_m.c.status, "status", statuses))
    if delivered is not None:
        has = exists().where(_c.c.message_id == _m.c.id, _c.c.status == literal_column("'delivered'"), _c.c.n > 0)
        where.append(has if delivered else not_(has))
    if before:
        where.append(_m.c.id < big_id("before"))
    return Statement(select(_m).where(*where).order_by(_m.c.id.desc()).limit(bindparam("limit")))


def list_for_account(conn: sqlite3.Connection, provider: str, account_id: str, statuses: list[str] | None,
                     delivered: bool | None, before_id: int | None, limit: int) -> list[sqlite3.Row]:
    """An account's messages newest first (keyset on id); `delivered` keeps only messages with (True)
    or without (False) a delivered recipient, read from the kept counters."""
    statuses = list(statuses or ())
    params = {"provider": provider, "account_id": account_id, "before": before_id, "limit": limit,
              **in_params("status", statuses)}
    statement = _list_for_account(len(statuses), delivered, before_id is not None)
    return run(conn, statement, params).fetchall()
