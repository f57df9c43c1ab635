"""Per-recipient history across an account's messages: newest-first rows for logs, and daily totals.

Recipients join their message by id range (a message's recipients are contiguous), which uses the
primary key instead of a scan on recipient.message_id.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Iterable

from mockserver.core.store.rows import dialect

_JOIN = "FROM message m JOIN recipient r ON r.id BETWEEN m.first_recipient_id AND m.last_recipient_id"


@dataclass
class HistoryFilter:
    """Neutral filters over one account's recipients; statuses are neutral Status values."""

    account_id: str
    channels: Iterable[str] = ()
    statuses: Iterable[str] | None = None
    exclude_statuses: Iterable[str] = field(default_factory=tuple)
    text: str | None = None  # substring of the body, the number, the sender or the recipient's public id
    since: float | None = None  # message created_at >= since
    until: float | None = None  # message created_at < until
    include_sandbox: bool = True


def _where(flt: HistoryFilter) -> tuple[str, list]:
    where, args = ["m.account_id = ?", "m.first_recipient_id IS NOT NULL"], [flt.account_id]
    for column, values, negate in (("m.channel", flt.channels, False), ("r.status", flt.statuses, False),
                                   ("r.status", flt.exclude_statuses, True)):
        vals = list(values) if values is not None else []
        if vals:
            where.append(f"{column} {'NOT ' if negate else ''}IN ({','.join('?' * len(vals))})")
            args += vals
    if flt.text:
        where.append("(m.body LIKE ? OR r.msisdn LIKE ? OR m.sender LIKE ? OR r.public_id LIKE ?)")
        args += [f"%{flt.text}%"] * 4
    if flt.since is not None:
        where.append("m.created_at >= ?"); args.append(flt.since)
    if flt.until is not None:
        where.append("m.created_at < ?"); args.append(flt.until)
    if not flt.include_sandbox:
        where.append("m.sandbox = 0")
    return " AND ".join(where), args


def recipient_rows(conn: sqlite3.Connection, flt: HistoryFilter, limit: int, offset: int = 0) -> list[sqlite3.Row]:
    """Rows (recipient_id, msisdn, status, sent_at, done_at, public_id, channel, sender, body, parts,
    created_at, sandbox), newest recipient first."""
    where, args = _where(flt)
    sql = (
        "SELECT r.id AS recipient_id, r.msisdn, r.status, r.sent_at, r.done_at, m.public_id, m.channel, "
        f"m.sender, m.body, m.parts, m.created_at, m.sandbox {_JOIN} WHERE {where} ORDER BY r.id DESC LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*args, limit, offset]).fetchall()


def daily_totals(conn: sqlite3.Connection, flt: HistoryFilter, ok_statuses: Iterable[str],
                 failed_statuses: Iterable[str], utc_offset: float = 0.0) -> list[sqlite3.Row]:
    """Per day (at `utc_offset` seconds from UTC), newest first: day, total, ok, failed, parts.

    `parts` sums message parts over recipients not in `failed_statuses` (what was charged)."""
    ok, failed = list(ok_statuses), list(failed_statuses)
    where, args = _where(flt)
    ok_marks, failed_marks = ",".join("?" * len(ok)), ",".join("?" * len(failed))
    day = ("to_char(to_timestamp(m.created_at + ?) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
           if dialect(conn) == "postgresql" else "date(m.created_at + ?, 'unixepoch')")
    sql = (  # CASE, not sum(boolean): PostgreSQL does not add booleans
        f"SELECT {day} AS day, count(*) AS total, "
        f"sum(CASE WHEN r.status IN ({ok_marks}) THEN 1 ELSE 0 END) AS ok, "
        f"sum(CASE WHEN r.status IN ({failed_marks}) THEN 1 ELSE 0 END) AS failed, "
        f"sum(CASE WHEN r.status IN ({failed_marks}) THEN 0 ELSE m.parts END) AS parts "
        f"{_JOIN} WHERE {where} GROUP BY day ORDER BY day DESC"
    )
    return conn.execute(sql, [utc_offset, *ok, *failed, *failed, *args]).fetchall()
