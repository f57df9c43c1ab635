"""Recipients: keyset pages, set-based state advances in id ranges, forced statuses."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from mockserver.core.lifecycle import OutcomeRules, Timing
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


_COPY_CHUNK = 50_000


def copy_in(conn, first: int, message_id: int, numbers: list[str], status: str, outcome: str | None,
            rules: OutcomeRules, next_at: float | None, updated_at: float, done_at: float | None = None) -> int:
    """PostgreSQL twin of the json_each INSERT in messages.insert_with_recipients: COPY of the rows with ids
    first, first + 1, ... (2M rows well within 2x a raw COPY, bench/pg_bulk.py); each row's outcome is
    `outcome` or, when None, rules.outcome_for (the Python twin of that INSERT's CASE). Returns the count."""
    fixed = (lambda _n, _i: outcome) if outcome is not None else _outcome_picker(rules, message_id)
    tail = f"\t{_copy_value(next_at)}\t{_copy_value(updated_at)}\t{_copy_value(done_at)}\n"
    head = f"\t{message_id}\t"
    with conn.raw.cursor().copy("COPY recipient (id, message_id, msisdn, status, outcome, next_at, updated_at, "
                                "done_at) FROM STDIN") as copy:
        for start in range(0, len(numbers), _COPY_CHUNK):
            chunk = numbers[start:start + _COPY_CHUNK]
            copy.write("".join(f"{first + start + i}{head}{n}\t{status}\t{fixed(n, start + i)}{tail}"
                               for i, n in enumerate(chunk)))
    return len(numbers)


def _copy_value(value: float | None) -> str:
    return "\\N" if value is None else repr(float(value))


def _outcome_picker(rules: OutcomeRules, message_id: int):
    """rules.outcome_for, with the common case (no random mix, suffixes of one length) as a dict lookup."""
    lengths = {len(rule.suffix) for rule in rules.magic}
    if rules.mix() or len(lengths) > 1:
        return lambda n, i: str(rules.outcome_for(n, i, message_id))
    by_suffix = {rule.suffix: str(rule.outcome) for rule in reversed(rules.magic)}
    if not lengths:
        return lambda _n, _i: "delivered"
    size = lengths.pop()
    return lambda n, _i: by_suffix.get(n[-size:], "delivered")


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


def _ranges_sql(ranges: list[tuple[int, int]], params: dict) -> str:
    """`(id BETWEEN :lo0 AND :hi0 OR ...)`: the id ranges of several messages as one rowid-range filter
    (named parameters, so it mixes with _ADVANCE's; the same text on SQLite and PostgreSQL)."""
    terms = []
    for i, (lo, hi) in enumerate(ranges):
        params[f"lo{i}"], params[f"hi{i}"] = lo, hi
        terms.append(f"id BETWEEN :lo{i} AND :hi{i}")
    return "(" + " OR ".join(terms) + ")"


def due_counts_in(conn: sqlite3.Connection, ranges: list[tuple[int, int]], now: float) -> list[tuple[int, str, str, int]]:
    """(message_id, status, outcome, count) of the due recipients in several messages' id ranges."""
    params: dict = {"now": now}
    where = _ranges_sql(ranges, params)
    sql = (f"SELECT message_id, status, outcome, count(*) FROM recipient WHERE {where} AND next_at <= :now "
           "GROUP BY message_id, status, outcome")
    return [tuple(r) for r in conn.execute(sql, params)]


def advance_ranges(conn: sqlite3.Connection, ranges: list[tuple[int, int]], now: float,
                   timing: Timing) -> list[sqlite3.Row]:
    """advance_range over several messages' id ranges in one statement (the scheduler's batch of small
    messages); rows (message_id, id, msisdn, status, updated_at, next_at) of every recipient moved."""
    params: dict = {"now": now, "dq": timing.queue_delay, "dd": timing.delivery_delay,
                    "dslow": timing.slow_delivery_delay, "dtimeout": timing.receipt_timeout}
    where = _ranges_sql(ranges, params)
    sql = _ADVANCE.replace("WHERE id BETWEEN :lo AND :hi AND", f"WHERE {where} AND")
    return conn.execute(sql + " RETURNING message_id, id, msisdn, status, updated_at, next_at", params).fetchall()


def min_next_at_in(conn: sqlite3.Connection, ranges: list[tuple[int, int]]) -> dict[int, float]:
    """message_id -> its recipients' earliest next step, for the messages of `ranges` that have one."""
    params: dict = {}
    where = _ranges_sql(ranges, params)
    rows = conn.execute(f"SELECT message_id, min(next_at) FROM recipient WHERE {where} AND next_at IS NOT NULL "
                        "GROUP BY message_id", params)
    return {r[0]: r[1] for r in rows}


def min_next_at(conn: sqlite3.Connection, lo: int, hi: int) -> float | None:
    row = conn.execute("SELECT min(next_at) FROM recipient WHERE id BETWEEN ? AND ?", (lo, hi)).fetchone()
    return row[0]


def get(conn: sqlite3.Connection, recipient_id: int) -> Recipient | None:
    return to_model(Recipient, conn.execute("SELECT * FROM recipient WHERE id = ?", (recipient_id,)).fetchone())


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
    # One rowid range (not `id > ? AND id BETWEEN ...`): with two lower bounds SQLite seeks from `lo`
    # and filters, which costs ~100 ms at row 1.9M instead of a direct seek.
    if after_id >= hi or offset > hi - lo:
        return []  # past the end; also keeps a huge client cursor from overflowing SQLite's INTEGER
    sql = "SELECT id, msisdn, status, updated_at, sent_at, done_at FROM recipient WHERE id BETWEEN ? AND ?"
    args: list = [max(after_id + 1, lo), hi]
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
        f"WHERE id BETWEEN ? AND ? AND status IN ({','.join('?' * len(vals))}) ORDER BY id) AS picked",
        (lo, hi, *vals),
    ).fetchone()
    return row[0], row[1]


# Catch-up in one statement: every due recipient goes straight to the state due at :now, however
# many steps behind it is (same path as _ADVANCE, step by step). Q is the queued->next step time,
# F the final-step time; columns on the right are OLD values. Used for messages without
# per-recipient events or webhooks, where intermediate states need not be observed.
_Q = "(CASE status WHEN 'scheduled' THEN next_at + :dq ELSE next_at END)"
_F = (f"(CASE status WHEN 'sent' THEN next_at ELSE {_Q} + CASE outcome WHEN 'delivered_slow' THEN :dslow "
      f"WHEN 'timeout' THEN :dtimeout ELSE :dd END END)")
_FINAL = "(CASE outcome WHEN 'delivered_slow' THEN 'delivered' ELSE outcome END)"
_NEVER = "outcome IN ('failed', 'rejected')"
_JUMP_STATUS = (f"CASE WHEN status = 'sent' THEN {_FINAL} WHEN {_Q} > :now THEN 'queued' "
                f"WHEN outcome = 'stuck' THEN 'queued' WHEN {_NEVER} THEN outcome "
                f"WHEN {_F} <= :now THEN {_FINAL} ELSE 'sent' END")
_JUMP = f"""
UPDATE recipient SET
  status = {_JUMP_STATUS},
  next_at = CASE WHEN status = 'sent' THEN NULL WHEN {_Q} > :now THEN {_Q}
                 WHEN outcome = 'stuck' OR {_NEVER} OR {_F} <= :now THEN NULL ELSE {_F} END,
  sent_at = CASE WHEN status = 'sent' OR {_Q} > :now OR outcome = 'stuck' OR {_NEVER} THEN sent_at ELSE {_Q} END,
  done_at = CASE WHEN status = 'sent' THEN next_at WHEN {_Q} > :now OR outcome = 'stuck' THEN done_at
                 WHEN {_NEVER} THEN {_Q} WHEN {_F} <= :now THEN {_F} ELSE done_at END,
  updated_at = CASE WHEN status = 'sent' OR {_Q} > :now THEN next_at WHEN outcome = 'stuck' OR {_NEVER} THEN {_Q}
                    WHEN {_F} <= :now THEN {_F} ELSE {_Q} END
WHERE id BETWEEN :lo AND :hi AND next_at <= :now
"""
_JUMP_COUNTS = f"""
SELECT status, {_JUMP_STATUS}, count(*) FROM recipient
WHERE id BETWEEN :lo AND :hi AND next_at <= :now AND outcome <> 'delivered' GROUP BY 1, 2
"""
# The bulk of a big send has outcome 'delivered': for those rows the state due at now depends only on
# (status, next_at), so each (old, new) pair is a plain UPDATE with no CASE, and its rowcount is the
# move count (no GROUP BY over millions of rows). The time sums keep _ADVANCE's association order
# ((next_at + dq) + dd), so boundaries match the step-by-step path exactly.
_BULK: dict[tuple[str, str], tuple[str, str]] = {
    ("sent", "delivered"): ("next_at <= :now", "status = 'delivered', done_at = next_at, updated_at = next_at"),
    ("queued", "delivered"): ("next_at <= :now AND next_at + :dd <= :now",
                              "status = 'delivered', sent_at = next_at, done_at = next_at + :dd, "
                              "updated_at = next_at + :dd"),
    ("queued", "sent"): ("next_at <= :now AND next_at + :dd > :now",
                         "status = 'sent', sent_at = next_at, updated_at = next_at, next_at = next_at + :dd"),
    ("scheduled", "delivered"): ("next_at + :dq <= :now AND next_at + :dq + :dd <= :now",
                                 "status = 'delivered', sent_at = next_at + :dq, done_at = next_at + :dq + :dd, "
                                 "updated_at = next_at + :dq + :dd"),
    ("scheduled", "sent"): ("next_at + :dq <= :now AND next_at + :dq + :dd > :now",
                            "status = 'sent', sent_at = next_at + :dq, updated_at = next_at + :dq, "
                            "next_at = next_at + :dq + :dd"),
    ("scheduled", "queued"): ("next_at <= :now AND next_at + :dq > :now",
                              "status = 'queued', updated_at = next_at, next_at = next_at + :dq"),
}


def _jump_params(lo: int, hi: int, now: float, timing: Timing) -> dict:
    return {"lo": lo, "hi": hi, "now": now, "dq": timing.queue_delay, "dd": timing.delivery_delay,
            "dslow": timing.slow_delivery_delay, "dtimeout": timing.receipt_timeout}


def jump_range(conn: sqlite3.Connection, lo: int, hi: int, now: float, timing: Timing,
               present: Iterable[str] = ("scheduled", "queued", "sent")) -> list[tuple[str, str, int]]:
    """Move every due recipient in [lo, hi] straight to the state due at `now`; returns the moves as
    (old status, new status, count). `present`: the active statuses the message still has (from its
    counters), so statements that cannot match are skipped."""
    params = _jump_params(lo, hi, now, timing)
    moves = [tuple(r) for r in conn.execute(_JUMP_COUNTS, params)]
    if moves:
        conn.execute(_JUMP + " AND outcome <> 'delivered'", params)
    present = set(present)
    for (old, new), (cond, sets) in _BULK.items():
        if old not in present:
            continue
        # next_at goes NULL last in SET order only matters for readability: SET sees OLD values.
        tail = ", next_at = NULL" if new == "delivered" else ""
        cur = conn.execute(f"UPDATE recipient SET {sets}{tail} WHERE id BETWEEN :lo AND :hi AND status = '{old}' "
                           f"AND outcome = 'delivered' AND {cond}", params)
        if cur.rowcount:
            moves.append((old, new, cur.rowcount))
    return moves
