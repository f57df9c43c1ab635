"""Recipients: keyset pages, set-based state advances in id ranges, forced statuses.

The scheduler's UPDATEs (_ADVANCE, _JUMP, _BULK) are measured hand-written SQL: each is one template whose
`{name}` marks a parameter, written out once per dialect by `_pair` (SQLite `:name`, psycopg `%(name)s`;
the two texts differ in nothing else). Everything else is SQLAlchemy Core (core/db/sql.py).
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Iterable

from sqlalchemy import bindparam, case, func, literal_column, null, or_, select, update

from mockserver.core.db.sql import Pair, Statement, run, run_many
from mockserver.core.lifecycle import OutcomeRules, Timing
from mockserver.core.models import Recipient
from mockserver.core.notify import RecipientState, StatusChange
from mockserver.core.store.binds import big_id, in_list, in_params, padded, words
from mockserver.core.store.rows import to_model, to_models

_r = Recipient.__table__


class _Marks(dict):
    """str.format_map's view of a template's parameters: each `{name}` becomes `style` with the name."""

    def __init__(self, style: str) -> None:
        super().__init__()
        self.style = style

    def __missing__(self, name: str) -> str:
        return self.style % name


def _pair(template: str) -> Pair:
    """Both dialects' texts of one hand-written statement (its `{name}`s are parameters). No literal %
    in these statements, so psycopg's text needs no %% either."""
    assert "%" not in template, "write a literal % as %% on PostgreSQL's side"
    return Pair(sqlite=template.format_map(_Marks(":%s")), postgresql=template.format_map(_Marks("%%(%s)s")))


# One UPDATE walks every due recipient in a range one step; columns on the right are OLD values.
_ADVANCE_SET = """
UPDATE recipient SET
  status = CASE status
    WHEN 'scheduled' THEN 'queued'
    WHEN 'queued' THEN CASE outcome WHEN 'stuck' THEN 'queued' WHEN 'failed' THEN 'failed'
                                    WHEN 'rejected' THEN 'rejected' ELSE 'sent' END
    WHEN 'sent' THEN CASE outcome WHEN 'delivered_slow' THEN 'delivered' ELSE outcome END
    ELSE status END,
  next_at = CASE status
    WHEN 'scheduled' THEN next_at + {dq}
    WHEN 'queued' THEN CASE WHEN outcome IN ('stuck', 'failed', 'rejected') THEN NULL
                            ELSE next_at + CASE outcome WHEN 'delivered_slow' THEN {dslow}
                                                        WHEN 'timeout' THEN {dtimeout} ELSE {dd} END END
    ELSE NULL END,
  sent_at = CASE WHEN status = 'queued' AND outcome NOT IN ('stuck', 'failed', 'rejected')
                 THEN next_at ELSE sent_at END,
  done_at = CASE WHEN status = 'sent' OR (status = 'queued' AND outcome IN ('failed', 'rejected'))
                 THEN next_at ELSE done_at END,
  updated_at = next_at
"""
_ADVANCE = _pair(_ADVANCE_SET + "WHERE id BETWEEN {lo} AND {hi} AND next_at <= {now}")
#: What a moved recipient's row gives back: enough for its status webhooks (notify.RecipientState) too.
_RETURNED = "id, msisdn, status, updated_at, next_at, sent_at, done_at, public_id"
_ADVANCE_RETURNING = _pair(_ADVANCE_SET + "WHERE id BETWEEN {lo} AND {hi} AND next_at <= {now} "
                                          f"RETURNING {_RETURNED}")


@lru_cache(maxsize=64)
def _advance_in(n: int) -> Pair:
    """_ADVANCE over n messages' id ranges (the scheduler's batch of small messages)."""
    return _pair(_ADVANCE_SET + f"WHERE {_ranges_template(n)} AND next_at <= {{now}} "
                                f"RETURNING message_id, {_RETURNED}")


def _ranges_template(n: int) -> str:
    """`(id BETWEEN {lo0} AND {hi0} OR ...)`: several messages' id ranges as one rowid-range filter."""
    return "(" + " OR ".join(f"id BETWEEN {{lo{i}}} AND {{hi{i}}}" for i in range(n)) + ")"


def _ranges(n: int):
    """The same filter as a Core clause."""
    return or_(*(_r.c.id.between(bindparam(f"lo{i}"), bindparam(f"hi{i}")) for i in range(n)))


def _ranges_params(ranges: list[tuple[int, int]], params: dict) -> tuple[int, dict]:
    """The ranges' parameters added to `params`, padded (binds.padded): (the padded count, the parameters)."""
    ranges = padded(ranges)
    for i, (lo, hi) in enumerate(ranges):
        params[f"lo{i}"], params[f"hi{i}"] = lo, hi
    return len(ranges), params


_IN_RANGE = _r.c.id.between(bindparam("lo"), bindparam("hi"))
_DUE_COUNTS = Statement(select(_r.c.status, _r.c.outcome, func.count())
                        .where(_IN_RANGE, _r.c.next_at <= bindparam("now")).group_by(_r.c.status, _r.c.outcome))
_MIN_NEXT_AT = Statement(select(func.min(_r.c.next_at)).where(_IN_RANGE))
_GET = Statement(select(_r).where(_r.c.id == big_id("id")))
_FORCE_STATUS = Statement(update(_r).where(_r.c.id == bindparam("rid")).values(
    status=bindparam("new_status"), next_at=null(), updated_at=bindparam("now"),
    sent_at=case((bindparam("new_status").in_(words("sent", "delivered", "undelivered", "expired", "blocked",
                                                    "timeout")),
                  func.coalesce(_r.c.sent_at, bindparam("now"))), else_=_r.c.sent_at),
    done_at=case((bindparam("new_status").in_(words("queued", "sent", "scheduled")), null()), else_=bindparam("now"))))
_CANCEL_RANGE = Statement(update(_r).where(_IN_RANGE, _r.c.status == literal_column("'scheduled'")).values(
    status=literal_column("'cancelled'"), next_at=null(), updated_at=bindparam("now"), done_at=bindparam("now")))
_BY_MSISDN = Statement(select(_r).where(_IN_RANGE, _r.c.msisdn.in_([bindparam("digits"), bindparam("plus")]))
                       .order_by(_r.c.id).limit(bindparam("limit")))
_SET_PUBLIC_ID = Statement(update(_r).where(_r.c.id == bindparam("rid")).values(public_id=bindparam("pid")))


@lru_cache(maxsize=64)
def _due_counts_in(n: int) -> Statement:
    return Statement(select(_r.c.message_id, _r.c.status, _r.c.outcome, func.count())
                     .where(_ranges(n), _r.c.next_at <= bindparam("now"))
                     .group_by(_r.c.message_id, _r.c.status, _r.c.outcome))


@lru_cache(maxsize=64)
def _min_next_at_in(n: int) -> Statement:
    return Statement(select(_r.c.message_id, func.min(_r.c.next_at)).where(_ranges(n), _r.c.next_at.is_not(None))
                     .group_by(_r.c.message_id))


@lru_cache(maxsize=64)
def _page(statuses: int) -> Statement:
    where = [_r.c.id > big_id("after"), _IN_RANGE]
    if statuses:
        where.append(in_list(_r.c.status, "status", statuses))
    return Statement(select(_r).where(*where).order_by(_r.c.id).limit(bindparam("limit")))


@lru_cache(maxsize=64)
def _page_rows(statuses: int) -> Statement:
    c = _r.c
    where = [_IN_RANGE, in_list(c.status, "status", statuses)] if statuses else [_IN_RANGE]
    return Statement(select(c.id, c.msisdn, c.status, c.updated_at, c.sent_at, c.done_at).where(*where)
                     .order_by(c.id).limit(bindparam("limit")).offset(bindparam("offset")))


@lru_cache(maxsize=64)
def _numbers_json(statuses: int) -> Statement:
    def build(d):
        picked = (select(_r.c.msisdn).where(_IN_RANGE, in_list(_r.c.status, "status", statuses))
                  .order_by(_r.c.id).subquery("picked"))
        agg = func.json_group_array if d.__name__.endswith("sqlite") else func.json_agg
        return select(func.coalesce(agg(picked.c.msisdn), literal_column("'[]'")), func.count()).select_from(picked)
    return Statement(build)


_COPY_CHUNK = 50_000
#: Up to this many rows copy_in is one INSERT over two arrays (one round trip; COPY takes two).
SMALL_INSERT = 64
#: PostgreSQL only (copy_in is the PostgreSQL twin of a json_each INSERT that SQLite runs instead).
_INSERT_SMALL = Pair(sqlite=None, postgresql=(
    "INSERT INTO recipient (id, message_id, msisdn, status, outcome, next_at, updated_at, done_at) "
    "SELECT %(first)s + u.i - 1, %(mid)s, u.n, %(status)s, u.o, %(next_at)s, %(at)s, %(done_at)s "
    "FROM unnest(%(numbers)s::text[], %(outcomes)s::text[]) WITH ORDINALITY AS u(n, o, i)"))


def copy_in(conn, first: int, message_id: int, numbers: list[str], status: str, outcome: str | None,
            rules: OutcomeRules, next_at: float | None, updated_at: float, done_at: float | None = None) -> int:
    """PostgreSQL twin of the json_each INSERT in messages.insert_with_recipients: COPY of the rows with ids
    first, first + 1, ... (2M rows well within 2x a raw COPY, bench/pg_bulk.py); each row's outcome is
    `outcome` or, when None, rules.outcome_for (the Python twin of that INSERT's CASE). Returns the count."""
    fixed = (lambda _n, _i: outcome) if outcome is not None else _outcome_picker(rules, message_id)
    if len(numbers) <= SMALL_INSERT:  # nothing to COPY costs no round trip; a few rows cost one, not COPY's two
        if numbers:
            run(conn, _INSERT_SMALL, {"first": first, "mid": message_id, "status": status, "next_at": next_at,
                                      "at": updated_at, "done_at": done_at, "numbers": list(numbers),
                                      "outcomes": [fixed(n, i) for i, n in enumerate(numbers)]})
        return len(numbers)
    tail = f"\t{_copy_value(next_at)}\t{_copy_value(updated_at)}\t{_copy_value(done_at)}\n"
    head = f"\t{message_id}\t"
    with conn.copy("COPY recipient (id, message_id, msisdn, status, outcome, next_at, updated_at, done_at) "
                   "FROM STDIN") as copy:
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


def _timing_params(timing: Timing, **params) -> dict:
    return {**params, "dq": timing.queue_delay, "dd": timing.delivery_delay,
            "dslow": timing.slow_delivery_delay, "dtimeout": timing.receipt_timeout}


def due_counts(conn: sqlite3.Connection, lo: int, hi: int, now: float) -> list[tuple[str, str, int]]:
    return [tuple(r) for r in run(conn, _DUE_COUNTS, {"lo": lo, "hi": hi, "now": now})]


def advance_range(
    conn: sqlite3.Connection, lo: int, hi: int, now: float, timing: Timing, returning: bool
) -> list[sqlite3.Row]:
    """Move every due recipient with id in [lo, hi] one step; rows (id, msisdn, status, updated_at) if asked."""
    params = _timing_params(timing, lo=lo, hi=hi, now=now)
    if returning:
        return run(conn, _ADVANCE_RETURNING, params).fetchall()
    run(conn, _ADVANCE, params)
    return []


def due_counts_in(conn: sqlite3.Connection, ranges: list[tuple[int, int]],
                  now: float) -> list[tuple[int, str, str, int]]:
    """(message_id, status, outcome, count) of the due recipients in several messages' id ranges."""
    size, params = _ranges_params(ranges, {"now": now})
    return [tuple(r) for r in run(conn, _due_counts_in(size), params)]


def advance_ranges(conn: sqlite3.Connection, ranges: list[tuple[int, int]], now: float,
                   timing: Timing) -> list[sqlite3.Row]:
    """advance_range over several messages' id ranges in one statement (the scheduler's batch of small
    messages); rows (message_id, id, msisdn, status, updated_at, next_at) of every recipient moved."""
    size, params = _ranges_params(ranges, _timing_params(timing, now=now))
    return run(conn, _advance_in(size), params).fetchall()


def min_next_at_in(conn: sqlite3.Connection, ranges: list[tuple[int, int]]) -> dict[int, float]:
    """message_id -> its recipients' earliest next step, for the messages of `ranges` that have one."""
    size, params = _ranges_params(ranges, {})
    rows = run(conn, _min_next_at_in(size), params)
    return {r[0]: r[1] for r in rows}


def min_next_at(conn: sqlite3.Connection, lo: int, hi: int) -> float | None:
    return run(conn, _MIN_NEXT_AT, {"lo": lo, "hi": hi}).fetchone()[0]


def get(conn: sqlite3.Connection, recipient_id: int) -> Recipient | None:
    return to_model(Recipient, run(conn, _GET, {"id": recipient_id}).fetchone())


def state_of(row) -> RecipientState:
    """A moved recipient's RETURNING row (advance_range, advance_ranges) as the change's RecipientState."""
    return RecipientState(row["id"], row["msisdn"], row["status"], row["sent_at"], row["done_at"], row["public_id"])


def as_changed(conn: sqlite3.Connection, change: StatusChange) -> RecipientState | Recipient | None:
    """The recipient as `change` left it (its status, sent_at, done_at, public_id): the scheduler's snapshot
    when it gave one, else the stored row (read inside the caller's transaction)."""
    return change.recipient if change.recipient is not None else get(conn, change.recipient_id)


def page(
    conn: sqlite3.Connection,
    lo: int,
    hi: int,
    after_id: int,
    limit: int,
    statuses: Iterable[str] | None = None,
) -> list[Recipient]:
    """Keyset page of a message's recipients (ids in [lo, hi]) after `after_id`; never OFFSET."""
    vals = list(statuses or ())
    params = {"after": after_id, "lo": lo, "hi": hi, "limit": limit, **in_params("status", vals)}
    return to_models(Recipient, run(conn, _page(len(vals)), params))


def force_status(conn: sqlite3.Connection, recipient_id: int, status: str, now: float) -> Recipient | None:
    """Set a recipient's status now and stop its automatic progression."""
    run(conn, _FORCE_STATUS, {"new_status": status, "now": now, "rid": recipient_id})
    return get(conn, recipient_id)


def cancel_range(conn: sqlite3.Connection, lo: int, hi: int, now: float) -> int:
    return run(conn, _CANCEL_RANGE, {"now": now, "lo": lo, "hi": hi}).rowcount


def by_msisdn(conn: sqlite3.Connection, lo: int, hi: int, msisdn: str, limit: int = 1000) -> list[Recipient]:
    """A message's recipients (ids in [lo, hi]) with this number, with or without a leading '+'."""
    digits = msisdn.lstrip("+")
    params = {"lo": lo, "hi": hi, "digits": digits, "plus": "+" + digits, "limit": limit}
    return to_models(Recipient, run(conn, _BY_MSISDN, params))


def set_public_ids(conn: sqlite3.Connection, pairs: Iterable[tuple[str, int]]) -> None:
    """Give recipients their provider-visible ids: pairs of (public_id, recipient id)."""
    run_many(conn, _SET_PUBLIC_ID, [{"pid": pid, "rid": rid} for pid, rid in pairs])


def page_rows(conn: sqlite3.Connection, lo: int, hi: int, after_id: int, limit: int,
              statuses: Iterable[str] | None = None, offset: int = 0) -> list[tuple]:
    """Keyset page as plain tuples (id, msisdn, status, updated_at, sent_at, done_at): no model objects,
    so a 100-row page stays well under a millisecond at any depth of a 2M-recipient message."""
    # One rowid range (not `id > ? AND id BETWEEN ...`): with two lower bounds SQLite seeks from `lo`
    # and filters, which costs ~100 ms at row 1.9M instead of a direct seek.
    if after_id >= hi or offset > hi - lo:
        return []  # past the end; also keeps a huge client cursor from overflowing SQLite's INTEGER
    vals = list(statuses or ())
    params = {"lo": max(after_id + 1, lo), "hi": hi, "limit": limit, "offset": offset, **in_params("status", vals)}
    cur = run(conn, _page_rows(len(vals)), params)
    cur.row_factory = None
    return cur.fetchall()


def numbers_json(conn: sqlite3.Connection, lo: int, hi: int, statuses: Iterable[str]) -> tuple[str, int]:
    """The numbers of recipients in [lo, hi] with these statuses as a JSON array text built by the database
    (no Python list, whatever the size), and how many there are."""
    vals = list(statuses)
    row = run(conn, _numbers_json(len(vals)), {"lo": lo, "hi": hi, **in_params("status", vals)}).fetchone()
    return row[0], row[1]


# Catch-up in one statement: every due recipient goes straight to the state due at {now}, however
# many steps behind it is (same path as _ADVANCE, step by step). Q is the queued->next step time,
# F the final-step time; columns on the right are OLD values. Used for messages without
# per-recipient events or webhooks, where intermediate states need not be observed.
_Q = "(CASE status WHEN 'scheduled' THEN next_at + {dq} ELSE next_at END)"
_F = (f"(CASE status WHEN 'sent' THEN next_at ELSE {_Q} + CASE outcome WHEN 'delivered_slow' THEN {{dslow}} "
      f"WHEN 'timeout' THEN {{dtimeout}} ELSE {{dd}} END END)")
_FINAL = "(CASE outcome WHEN 'delivered_slow' THEN 'delivered' ELSE outcome END)"
_NEVER = "outcome IN ('failed', 'rejected')"
_JUMP_STATUS = (f"CASE WHEN status = 'sent' THEN {_FINAL} WHEN {_Q} > {{now}} THEN 'queued' "
                f"WHEN outcome = 'stuck' THEN 'queued' WHEN {_NEVER} THEN outcome "
                f"WHEN {_F} <= {{now}} THEN {_FINAL} ELSE 'sent' END")
_JUMP = _pair(f"""
UPDATE recipient SET
  status = {_JUMP_STATUS},
  next_at = CASE WHEN status = 'sent' THEN NULL WHEN {_Q} > {{now}} THEN {_Q}
                 WHEN outcome = 'stuck' OR {_NEVER} OR {_F} <= {{now}} THEN NULL ELSE {_F} END,
  sent_at = CASE WHEN status = 'sent' OR {_Q} > {{now}} OR outcome = 'stuck' OR {_NEVER} THEN sent_at ELSE {_Q} END,
  done_at = CASE WHEN status = 'sent' THEN next_at WHEN {_Q} > {{now}} OR outcome = 'stuck' THEN done_at
                 WHEN {_NEVER} THEN {_Q} WHEN {_F} <= {{now}} THEN {_F} ELSE done_at END,
  updated_at = CASE WHEN status = 'sent' OR {_Q} > {{now}} THEN next_at WHEN outcome = 'stuck' OR {_NEVER} THEN {_Q}
                    WHEN {_F} <= {{now}} THEN {_F} ELSE {_Q} END
WHERE id BETWEEN {{lo}} AND {{hi}} AND next_at <= {{now}} AND outcome <> 'delivered'
""")
_JUMP_COUNTS = _pair(f"""
SELECT status, {_JUMP_STATUS}, count(*) FROM recipient
WHERE id BETWEEN {{lo}} AND {{hi}} AND next_at <= {{now}} AND outcome <> 'delivered' GROUP BY 1, 2
""")
# The bulk of a big send has outcome 'delivered': for those rows the state due at now depends only on
# (status, next_at), so each (old, new) pair is a plain UPDATE with no CASE, and its rowcount is the
# move count (no GROUP BY over millions of rows). The time sums keep _ADVANCE's association order
# ((next_at + dq) + dd), so boundaries match the step-by-step path exactly. next_at goes NULL last in
# SET order only for readability: SET sees OLD values.
_BULK_STEPS: dict[tuple[str, str], tuple[str, str]] = {
    ("sent", "delivered"): ("next_at <= {now}", "status = 'delivered', done_at = next_at, updated_at = next_at"),
    ("queued", "delivered"): ("next_at <= {now} AND next_at + {dd} <= {now}",
                              "status = 'delivered', sent_at = next_at, done_at = next_at + {dd}, "
                              "updated_at = next_at + {dd}"),
    ("queued", "sent"): ("next_at <= {now} AND next_at + {dd} > {now}",
                         "status = 'sent', sent_at = next_at, updated_at = next_at, next_at = next_at + {dd}"),
    ("scheduled", "delivered"): ("next_at + {dq} <= {now} AND next_at + {dq} + {dd} <= {now}",
                                 "status = 'delivered', sent_at = next_at + {dq}, done_at = next_at + {dq} + {dd}, "
                                 "updated_at = next_at + {dq} + {dd}"),
    ("scheduled", "sent"): ("next_at + {dq} <= {now} AND next_at + {dq} + {dd} > {now}",
                            "status = 'sent', sent_at = next_at + {dq}, updated_at = next_at + {dq}, "
                            "next_at = next_at + {dq} + {dd}"),
    ("scheduled", "queued"): ("next_at <= {now} AND next_at + {dq} > {now}",
                              "status = 'queued', updated_at = next_at, next_at = next_at + {dq}"),
}
_BULK: dict[tuple[str, str], Pair] = {
    (old, new): _pair(f"UPDATE recipient SET {sets}{', next_at = NULL' if new == 'delivered' else ''} "
                      f"WHERE id BETWEEN {{lo}} AND {{hi}} AND status = '{old}' AND outcome = 'delivered' AND {cond}")
    for (old, new), (cond, sets) in _BULK_STEPS.items()
}


def jump_range(conn: sqlite3.Connection, lo: int, hi: int, now: float, timing: Timing,
               present: Iterable[str] = ("scheduled", "queued", "sent")) -> list[tuple[str, str, int]]:
    """Move every due recipient in [lo, hi] straight to the state due at `now`; returns the moves as
    (old status, new status, count). `present`: the active statuses the message still has (from its
    counters), so statements that cannot match are skipped."""
    params = _timing_params(timing, lo=lo, hi=hi, now=now)
    moves = [tuple(r) for r in run(conn, _JUMP_COUNTS, params)]
    if moves:
        run(conn, _JUMP, params)
    present = set(present)
    for (old, new), statement in _BULK.items():
        if old not in present:
            continue
        cur = run(conn, statement, params)
        if cur.rowcount:
            moves.append((old, new, cur.rowcount))
    return moves
