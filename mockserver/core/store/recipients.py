"""Recipients: keyset pages, set-based state advances in id ranges, forced statuses."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from mockserver.core.lifecycle import Timing
from mockserver.core.models import Recipient
from mockserver.core.store.rows import to_model, to_models

# One UPDATE walks every due recipient in a range one step; columns on the right are OLD values.
_ADVANCE = """
UPDATE recipient SET
  status = CASE status
    WHEN 'scheduled' THEN 'queued'
    WHEN 'queued' THEN CASE outcome WHEN 'stuck' THEN 'queued' WHEN 'failed' THEN 'failed'
                                    WHEN 'rejected' THEN 'rejected' ELSE 'sent' END
    WHEN 'sent' THEN CASE outcome WHEN 'delivered_slow' THEN 'delivered' ELSE outcome END
    ELSE status END,
  next_at = CASE status
    WHEN 'scheduled' THEN next_at + :dq
    WHEN 'queued' THEN CASE WHEN outcome IN ('stuck', 'failed', 'rejected') THEN NULL
                            ELSE next_at + CASE outcome WHEN 'delivered_slow' THEN :dslow
                                                        WHEN 'timeout' THEN :dtimeout ELSE :dd END END
    ELSE NULL END,
  sent_at = CASE WHEN status = 'queued' AND outcome NOT IN ('stuck', 'failed', 'rejected')
                 THEN next_at ELSE sent_at END,
  done_at = CASE WHEN status = 'sent' OR (status = 'queued' AND outcome IN ('failed', 'rejected'))
                 THEN next_at ELSE done_at END,
  updated_at = next_at
WHERE id BETWEEN :lo AND :hi AND next_at <= :now
"""

_DUE_COUNTS = """
SELECT status, outcome, count(*) FROM recipient
WHERE id BETWEEN ? AND ? AND next_at <= ? GROUP BY status, outcome
"""


def due_counts(conn: sqlite3.Connection, lo: int, hi: int, now: float) -> list[tuple[str, str, int]]:
    return [tuple(r) for r in conn.execute(_DUE_COUNTS, (lo, hi, now))]


def advance_range(
    conn: sqlite3.Connection, lo: int, hi: int, now: float, timing: Timing, returning: bool
) -> list[sqlite3.Row]:
    """Move every due recipient with id in [lo, hi] one step; rows (id, msisdn, status, updated_at) if asked."""
    params = {
        "lo": lo, "hi": hi, "now": now, "dq": timing.queue_delay, "dd": timing.delivery_delay,
        "dslow": timing.slow_delivery_delay, "dtimeout": timing.receipt_timeout,
    }
    if returning:
        return conn.execute(_ADVANCE + " RETURNING id, msisdn, status, updated_at, next_at", params).fetchall()
    conn.execute(_ADVANCE, params)
    return []


def min_next_at(conn: sqlite3.Connection, lo: int, hi: int) -> float | None:
    row = conn.execute("SELECT min(next_at) FROM recipient WHERE id BETWEEN ? AND ?", (lo, hi)).fetchone()
    return row[0]


def get(conn: sqlite3.Connection, recipient_id: int) -> Recipient | None:
    return to_model(Recipient, conn.execute("SELECT * FROM recipient WHERE id = ?", (recipient_id,)).fetchone())


def of_message(conn: sqlite3.Connection, message_id: int, lo: int, hi: int) -> list[Recipient]:
    rows = conn.execute("SELECT * FROM recipient WHERE id BETWEEN ? AND ? ORDER BY id", (lo, hi))
    return [r for r in to_models(Recipient, rows) if r.message_id == message_id]


def page(
    conn: sqlite3.Connection,
    lo: int,
    hi: int,
    after_id: int,
    limit: int,
    statuses: Iterable[str] | None = None,
) -> list[Recipient]:
    """Keyset page of a message's recipients (ids in [lo, hi]) after `after_id`; never OFFSET."""
    sql, args = "SELECT * FROM recipient WHERE id > ? AND id BETWEEN ? AND ?", [after_id, lo, hi]
    if statuses:
        vals = list(statuses)
        sql += f" AND status IN ({','.join('?' * len(vals))})"
        args += vals
    sql += " ORDER BY id LIMIT ?"
    args.append(limit)
    return to_models(Recipient, conn.execute(sql, args))


def force_status(conn: sqlite3.Connection, recipient_id: int, status: str, now: float) -> Recipient | None:
    """Set a recipient's status now and stop its automatic progression."""
    conn.execute(
        "UPDATE recipient SET status = ?, next_at = NULL, updated_at = ?, "
        "sent_at = CASE WHEN ? IN ('sent','delivered','undelivered','expired','blocked','timeout') "
        "THEN coalesce(sent_at, ?) ELSE sent_at END, "
        "done_at = CASE WHEN ? IN ('queued','sent','scheduled') THEN NULL ELSE ? END WHERE id = ?",
        (status, now, status, now, status, now, recipient_id),
    )
    return get(conn, recipient_id)


def cancel_range(conn: sqlite3.Connection, lo: int, hi: int, now: float) -> int:
    cur = conn.execute(
        "UPDATE recipient SET status = 'cancelled', next_at = NULL, updated_at = ?, done_at = ? "
        "WHERE id BETWEEN ? AND ? AND status = 'scheduled'",
        (now, now, lo, hi),
    )
    return cur.rowcount


def requeue_range(conn: sqlite3.Connection, lo: int, hi: int, statuses: Iterable[str], due_at: float) -> int:
    vals = list(statuses)
    cur = conn.execute(
        f"UPDATE recipient SET status = 'queued', outcome = 'delivered', next_at = ?, sent_at = NULL, "
        f"done_at = NULL, updated_at = ? WHERE id BETWEEN ? AND ? AND status IN ({','.join('?' * len(vals))})",
        (due_at, due_at, lo, hi, *vals),
    )
    return cur.rowcount


def by_msisdn(conn: sqlite3.Connection, lo: int, hi: int, msisdn: str, limit: int = 1000) -> list[Recipient]:
    """A message's recipients (ids in [lo, hi]) with this number, with or without a leading '+'."""
    digits = msisdn.lstrip("+")
    rows = conn.execute(
        "SELECT * FROM recipient WHERE id BETWEEN ? AND ? AND msisdn IN (?, ?) ORDER BY id LIMIT ?",
        (lo, hi, digits, "+" + digits, limit),
    )
    return to_models(Recipient, rows)


def set_public_ids(conn: sqlite3.Connection, pairs: Iterable[tuple[str, int]]) -> None:
    """Give recipients their provider-visible ids: pairs of (public_id, recipient id)."""
    conn.executemany("UPDATE recipient SET public_id = ? WHERE id = ?", pairs)


def page_rows(conn: sqlite3.Connection, lo: int, hi: int, after_id: int, limit: int,
              statuses: Iterable[str] | None = None, offset: int = 0) -> list[tuple]:
    """Keyset page as plain tuples (id, msisdn, status, updated_at, sent_at, done_at): no model objects,
    so a 100-row page stays well under a millisecond at any depth of a 2M-recipient message."""
    sql = "SELECT id, msisdn, status, updated_at, sent_at, done_at FROM recipient WHERE id > ? AND id BETWEEN ? AND ?"
    args: list = [after_id, lo, hi]
    if statuses:
        vals = list(statuses)
        sql += f" AND status IN ({','.join('?' * len(vals))})"
        args += vals
    sql += " ORDER BY id LIMIT ? OFFSET ?"
    cur = conn.execute(sql, [*args, limit, offset])
    cur.row_factory = None
    return cur.fetchall()


def numbers_json(conn: sqlite3.Connection, lo: int, hi: int, statuses: Iterable[str]) -> tuple[str, int]:
    """The numbers of recipients in [lo, hi] with these statuses as a JSON array text built by SQLite
    (no Python list, whatever the size), and how many there are."""
    vals = list(statuses)
    row = conn.execute(
        f"SELECT coalesce(json_group_array(msisdn), '[]'), count(*) FROM (SELECT msisdn FROM recipient "
        f"WHERE id BETWEEN ? AND ? AND status IN ({','.join('?' * len(vals))}) ORDER BY id)",
        (lo, hi, *vals),
    ).fetchone()
    return row[0], row[1]
