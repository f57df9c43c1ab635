"""Read-only queries behind the control API's inspection endpoints: messages across providers
with any-recipient filters, keyset-paged both ways. Provider routes use store.messages instead."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Sequence

from mockserver.core import phone
from mockserver.core.models import Message
from mockserver.core.store.rows import to_models


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


def _where(q: MessageQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    for col, val in (("provider", q.provider), ("account_id", q.account_id), ("sender", q.sender)):
        if val is not None:
            where.append(f"m.{col} = ?"); args.append(val)
    if q.public_id is not None:
        # A vendor id names a submission (plan, uuid) or one destination of it (Cast, EngageLab targets).
        where.append("(m.public_id = ? OR m.id IN (SELECT message_id FROM recipient WHERE public_id = ?))")
        args += [q.public_id, q.public_id]
    if q.message_statuses:
        where.append(f"m.status IN ({','.join('?' * len(q.message_statuses))})"); args += list(q.message_statuses)
    if q.statuses:
        # The kept per-status counters answer this in O(1) per message, even for 2M recipients.
        where.append("EXISTS (SELECT 1 FROM messagecount c WHERE c.message_id = m.id AND c.n > 0 "
                     f"AND c.status IN ({','.join('?' * len(q.statuses))}))")
        args += list(q.statuses)
    if q.to:
        forms = phone.written_forms(q.to) or [q.to.strip()]
        # Recipient ids of a message are contiguous, so this is a primary-key range scan.
        where.append("EXISTS (SELECT 1 FROM recipient r WHERE r.id BETWEEN m.first_recipient_id "
                     f"AND m.last_recipient_id AND r.msisdn IN ({','.join('?' * len(forms))}))")
        args += forms
    if q.text:
        where.append("m.body LIKE ? ESCAPE '\\'")
        args.append("%" + q.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    for clause, val in (("m.created_at >= ?", q.since), ("m.created_at <= ?", q.until),
                        ("m.id > ?", q.after_id), ("m.id < ?", q.before_id)):
        if val is not None:
            where.append(clause); args.append(val)
    return where or ["1=1"], args


def search_messages(conn: sqlite3.Connection, q: MessageQuery, limit: int, oldest_first: bool = False) -> list[Message]:
    """Matching messages, newest first unless asked otherwise (after_id/before_id are the keyset)."""
    where, args = _where(q)
    order = "ASC" if oldest_first else "DESC"
    sql = f"SELECT m.* FROM message m WHERE {' AND '.join(where)} ORDER BY m.id {order} LIMIT ?"
    return to_models(Message, conn.execute(sql, [*args, limit]))


def first_numbers(conn: sqlite3.Connection, recipient_ids: Sequence[int]) -> dict[int, str]:
    """msisdn of each given recipient id (a message's first recipient stands for its 'to')."""
    ids = [i for i in recipient_ids if i is not None]
    if not ids:
        return {}
    rows = conn.execute(f"SELECT id, msisdn FROM recipient WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {r[0]: r[1] for r in rows}


def accounts_with_number(conn: sqlite3.Connection, provider: str, number: str) -> list[str]:
    """Accounts of a provider that own `number` as a sender (virtual number), '+' ignored."""
    digits = number.strip().lstrip("+")
    rows = conn.execute("SELECT DISTINCT account_id FROM sender WHERE provider = ? AND name IN (?, ?) ORDER BY 1",
                        (provider, digits, "+" + digits))
    return [r[0] for r in rows]


def find_message(conn: sqlite3.Connection, ref: str, max_id: int = 2**63 - 1) -> Message | None:
    """A message by the sandbox's integer id, else by any id a vendor API returned for it: the
    submission's (plan_id, uuid, msgId) or one destination's (Cast or EngageLab message_id). The
    integer id wins a clash; among vendor ids the newest message does."""
    if ref.isascii() and ref.isdecimal() and int(ref) <= max_id:
        row = conn.execute("SELECT * FROM message WHERE id = ?", (int(ref),)).fetchone()
        if row is not None:
            return to_models(Message, [row])[0]
    for sql in ("SELECT * FROM message WHERE public_id = ? ORDER BY id DESC LIMIT 1",
                # ix_recipient_public (partial, non-null ids only) answers this without a scan.
                "SELECT m.* FROM recipient r JOIN message m ON m.id = r.message_id WHERE r.public_id = ? "
                "ORDER BY m.id DESC LIMIT 1"):
        row = conn.execute(sql, (ref,)).fetchone()
        if row is not None:
            return to_models(Message, [row])[0]
    return None
