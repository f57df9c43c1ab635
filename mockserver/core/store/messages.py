"""Messages: insert a submission with all its recipients in one statement, read, count, delete (lists of
messages: message_lists.py).

Statements are SQLAlchemy Core compiled once per dialect (core/db/sql.py); the recipients' bulk insert is
SQLite's json_each INSERT beside PostgreSQL's COPY (recipients.copy_in), both measured on the 2M send.
"""

from __future__ import annotations

import json
import sqlite3

import orjson
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Iterable

from sqlalchemy import bindparam, delete as sa_delete, select, update

from mockserver.core.db.functions import json_array_rows
from mockserver.core.db.postgres import LOCK_CLASS, RECIPIENT_IDS_KEY
from mockserver.core.db.sql import Pair, Statement, run, run_many
from mockserver.core.lifecycle import OutcomeRules, Status
from mockserver.core.models import Event, Message, MessageCount, Recipient, Webhook, WebhookAttempt
from mockserver.core.store import recipients
from mockserver.core.store.binds import big_id, in_list, padded_in_params
from mockserver.core.store.rows import dialect, insert, to_model, update as update_row

_m, _r, _c = Message.__table__, Recipient.__table__, MessageCount.__table__

#: The first of `n` contiguous recipient ids for a new message. SQLite: max + 1, safe under its single
#: writer (BEGIN IMMEDIATE). PostgreSQL has no global write lock: concurrent sends reserve their ranges
#: from recipient_id_seq (nextval, then setval past the range: sequences are not transactional, so the
#: range is taken at once and never handed out twice, even if this transaction rolls back). A session
#: advisory lock makes the two calls one step; it is held for this one statement only, not for the
#: transaction (a 2M-number send does not make the next send wait). The MATERIALIZED chain fixes the
#: order: lock, nextval, setval, unlock. Revision 0008 set the sequence past the ids of older databases.
#: PostgreSQL also takes the message's own id from its sequence (what the column's default would), so that
#: its INSERT needs no RETURNING: in a batched transaction (PgDatabase.write) it then goes in the same round
#: trip as the recipients, counts, events and debit after it.
_RESERVE_RECIPIENT_IDS = Pair(
    sqlite="SELECT coalesce(max(id), 0) + 1 FROM recipient",
    postgresql=(
        "WITH l AS MATERIALIZED (SELECT pg_advisory_lock(%(lock_class)s, %(lock_key)s) AS held), "
        "v AS MATERIALIZED (SELECT nextval('recipient_id_seq') AS first FROM l), "
        "s AS MATERIALIZED (SELECT setval('recipient_id_seq', first + greatest(%(n)s, 1) - 1) AS upto FROM v), "
        "u AS MATERIALIZED (SELECT pg_advisory_unlock(%(lock_class)s, %(lock_key)s) AS freed FROM s) "
        "SELECT v.first, nextval('message_id_seq') AS message_id FROM v, u"))


def _add_count(d):
    stmt = d.insert(_c).values(message_id=bindparam("message_id"), status=bindparam("status"), n=bindparam("n"))
    return stmt.on_conflict_do_update(index_elements=[_c.c.message_id, _c.c.status],
                                      set_={"n": _c.c.n + stmt.excluded.n})


_ADD_COUNT = Statement(_add_count)
_COUNTS = Statement(select(_c.c.status, _c.c.n).where(_c.c.message_id == bindparam("message_id"), _c.c.n > 0))
_SET_PROGRESS = Statement(update(_m).where(_m.c.id == bindparam("mid")).values(
    next_due_at=bindparam("next_due_at"), updated_at=bindparam("updated_at"), status=bindparam("status"),
    completed_at=bindparam("completed_at")))
_GET = Statement(select(_m).where(_m.c.id == big_id("id")))
_BY_PUBLIC_ID = Statement(select(_m).where(_m.c.provider == bindparam("provider"),
                                           _m.c.public_id == bindparam("public_id")))
_DUE = Statement(select(_m).where(_m.c.next_due_at.is_not(None), _m.c.next_due_at <= bindparam("now"))
                 .order_by(_m.c.next_due_at).limit(bindparam("limit")))


def _recent_recipients(d):
    m, r, wanted = _m.alias("m"), _r.alias("r"), json_array_rows(d, "msisdns")
    return (select(r.c.msisdn.label("msisdn"), r.c.status.label("status"), m.c.meta.label("meta"))
            .select_from(m.join(r, r.c.id.between(m.c.first_recipient_id, m.c.last_recipient_id)))
            .where(m.c.account_id == bindparam("account_id"), m.c.created_at >= bindparam("since"),
                   r.c.msisdn.in_(select(wanted.c.value))))


_RECENT_RECIPIENTS = Statement(_recent_recipients)
_SPAN = Statement(select(_m.c.first_recipient_id, _m.c.last_recipient_id).where(_m.c.id == big_id("id")))
_w, _wa = Webhook.__table__, WebhookAttempt.__table__
_DELETE_RECIPIENTS = Statement(sa_delete(_r).where(_r.c.id.between(bindparam("lo"), bindparam("hi")),
                                                   _r.c.message_id == bindparam("id")))
_DELETE_COUNTS = Statement(sa_delete(_c).where(_c.c.message_id == bindparam("id")))
_DELETE_EVENTS = Statement(sa_delete(Event.__table__).where(Event.__table__.c.message_id == bindparam("id")))
_DELETE_ATTEMPTS = Statement(sa_delete(_wa).where(
    _wa.c.webhook_id.in_(select(_w.c.id).where(_w.c.message_id == bindparam("id")))))
_DELETE_WEBHOOKS = Statement(sa_delete(_w).where(_w.c.message_id == bindparam("id")))
_DELETE_MESSAGE = Statement(sa_delete(_m).where(_m.c.id == bindparam("id")))

#: PostgreSQL never runs the json_each INSERTs below: its recipients go in by COPY (recipients.copy_in).
_COPY_ON_POSTGRESQL = ""


def _outcome_sql(rules: OutcomeRules, message_id: int = 0) -> tuple[str, dict[str, Any]]:
    """SQLite's CASE over json_each's value/key that picks each recipient's outcome (mirrors OutcomeRules;
    PostgreSQL's twin is recipients.copy_in's picker). Named parameters `o_*`.

    When every magic suffix has one length (the fixtures' case) a simple CASE computes substr() once
    per row: measured on 2M rows, 8 searched WHENs cost ~3 s over a constant, the simple CASE ~0.7 s.
    """
    case, args = _outcome_case(rules)
    return case, {**args, "o_mid": message_id}


@lru_cache(maxsize=64)
def _outcome_case(rules: OutcomeRules) -> tuple[str, dict[str, Any]]:
    """The CASE text and its fixed parameters, made once per rules (the same for every send: building
    them again was ~2 % of a single send's CPU). Callers copy the dict, never change it."""
    mix, args = ["CASE"], {"o_seed": rules.seed}
    for i, (outcome, threshold) in enumerate(rules.mix()):  # same formula as lifecycle.random_pick
        mix.append(f"WHEN ((:o_mid * 7919 + key + :o_seed) % 1000003) * 2654435761 % 1000003 % 1000000 < :o_t{i} "
                   f"THEN :o_mix{i}")
        args.update({f"o_t{i}": threshold, f"o_mix{i}": str(outcome)})
    rest = " ".join(mix) + " ELSE 'delivered' END" if len(mix) > 1 else "'delivered'"
    if not rules.magic:
        return rest, args
    lengths = {len(rule.suffix) for rule in rules.magic}
    parts = [f"CASE substr(value, -{lengths.pop()})"] if len(lengths) == 1 else ["CASE"]
    for i, rule in enumerate(rules.magic):
        parts.append(f"WHEN :o_s{i} THEN :o_m{i}" if parts[0] != "CASE" else
                     f"WHEN substr(value, -:o_n{i}) = :o_s{i} THEN :o_m{i}")
        args.update({f"o_n{i}": len(rule.suffix), f"o_s{i}": rule.suffix, f"o_m{i}": str(rule.outcome)})
    parts.append(f"ELSE {rest} END")
    return " ".join(parts), args


def assign(msg: Message, **values: Any) -> None:
    """Set fields of a Message built with model_construct (sending builds it so: a validated SQLModel
    table object costs ~150 us, a tenth of a small send's CPU) or read from a row; such objects have
    no ORM state, so attribute assignment would fail. Plain values in the instance dict serve both."""
    msg.__dict__.update(values)


@dataclass
class Inserted:
    message: Message
    accepted: int
    invalid: int


def insert_with_recipients(
    conn: sqlite3.Connection,
    msg: Message,
    numbers_json: str,
    invalid_json: str | None,
    *,
    initial_status: str,
    first_due: float | None,
    rules: OutcomeRules,
) -> Inserted:
    """Store a message and its recipients; `numbers_json` is a JSON array of destination strings.

    Recipients are inserted with INSERT ... SELECT FROM json_each, the fastest path measured here
    (2M rows in ~0.7 s), so their integer ids are contiguous for the message.
    """
    if dialect(conn) == "postgresql":
        return _copy_with_recipients(conn, msg, numbers_json, invalid_json, initial_status, first_due, rules)
    assign(msg, id=insert(conn, msg))
    first = reserve_recipient_ids(conn, 0)
    case_sql, params = _outcome_sql(rules, msg.id)
    # Explicit ids (first + index): contiguous on both engines (a PostgreSQL sequence is not max(id) + 1).
    params.update(first=first, message_id=msg.id, status=initial_status, first_due=first_due, at=msg.created_at,
                  numbers=numbers_json)
    accepted = run(conn, Pair(
        sqlite=f"INSERT INTO recipient (id, message_id, msisdn, status, outcome, next_at, updated_at) "
               f"SELECT :first + key, :message_id, value, :status, {case_sql}, CAST(:first_due AS DOUBLE PRECISION), "
               f":at FROM json_each(:numbers)",
        postgresql=_COPY_ON_POSTGRESQL), params).rowcount
    invalid = 0
    if invalid_json:
        invalid = run(conn, Pair(
            sqlite="INSERT INTO recipient (id, message_id, msisdn, status, outcome, next_at, updated_at, done_at) "
                   "SELECT :first + key, :message_id, value, 'invalid', 'rejected', NULL, :at, :at "
                   "FROM json_each(:numbers)",
            postgresql=_COPY_ON_POSTGRESQL),
            {"first": first + accepted, "message_id": msg.id, "at": msg.created_at, "numbers": invalid_json}).rowcount
    return _finish(conn, msg, first, accepted, invalid, first_due, initial_status)


def reserve_recipient_ids(conn, n: int) -> int:
    """The first id of a contiguous range of `n` recipient ids for a new message (see _RESERVE_RECIPIENT_IDS)."""
    return _reserve(conn, n)[0]


def _reserve(conn, n: int) -> tuple:
    """SQLite: (first recipient id,); PostgreSQL: (first recipient id, the new message's id)."""
    params = {"n": n, "lock_class": LOCK_CLASS, "lock_key": RECIPIENT_IDS_KEY}
    return tuple(run(conn, _RESERVE_RECIPIENT_IDS, params).fetchone())


def _copy_with_recipients(conn, msg: Message, numbers_json: str, invalid_json: str | None,
                          initial_status: str, first_due: float | None, rules: OutcomeRules) -> Inserted:
    """PostgreSQL: the recipients go in through COPY (recipients.copy_in), the twin of the json_each INSERT.
    The ids are reserved first, so the message row goes in with its span (no UPDATE after the recipients)."""
    numbers, invalid = orjson.loads(numbers_json), orjson.loads(invalid_json) if invalid_json else []
    first, message_id = _reserve(conn, len(numbers) + len(invalid))
    assign(msg, id=message_id, **_span(first, len(numbers), len(invalid), first_due))
    insert(conn, msg)  # with its id: no RETURNING, no result to wait for
    accepted = recipients.copy_in(conn, first, msg.id, numbers, initial_status, None, rules, first_due, msg.created_at)
    rejected = recipients.copy_in(conn, first + accepted, msg.id, invalid, "invalid", "rejected", rules, None,
                                  msg.created_at, msg.created_at)
    add_counts(conn, msg.id, {initial_status: accepted, Status.INVALID: rejected})
    return Inserted(msg, accepted, rejected)


def _span(first: int, accepted: int, invalid: int, first_due: float | None) -> dict[str, Any]:
    total = accepted + invalid
    return {"first_recipient_id": first if total else None, "last_recipient_id": first + total - 1 if total else None,
            "recipient_count": total, "next_due_at": first_due if accepted else None}


def _finish(conn, msg: Message, first: int, accepted: int, invalid: int, first_due: float | None,
            initial_status: str) -> Inserted:
    span = _span(first, accepted, invalid, first_due)
    assign(msg, **span)
    update_row(conn, "message", {"id": msg.id}, span)
    add_counts(conn, msg.id, {initial_status: accepted, Status.INVALID: invalid})
    return Inserted(msg, accepted, invalid)


def add_counts(conn: sqlite3.Connection, message_id: int, deltas: dict[str, int]) -> None:
    add_counts_many(conn, ((message_id, s, n) for s, n in deltas.items()))


def counts(conn: sqlite3.Connection, message_id: int) -> dict[str, int]:
    return {r[0]: r[1] for r in run(conn, _COUNTS, {"message_id": message_id})}


def add_counts_many(conn: sqlite3.Connection, deltas: Iterable[tuple[int, str, int]]) -> None:
    """add_counts for several messages in one executemany: (message_id, status, delta) rows."""
    rows = [{"message_id": m, "status": str(s), "n": n} for m, s, n in deltas if n]
    if rows:
        run_many(conn, _ADD_COUNT, rows)


@lru_cache(maxsize=64)
def _counts_of(n: int) -> Statement:
    return Statement(select(_c.c.message_id, _c.c.status, _c.c.n).where(in_list(_c.c.message_id, "id", n), _c.c.n > 0))


def counts_of(conn: sqlite3.Connection, message_ids: list[int]) -> dict[int, dict[str, int]]:
    """counts() of several messages in one statement."""
    found: dict[int, dict[str, int]] = {m: {} for m in message_ids}
    if not message_ids:
        return found
    size, params = padded_in_params("id", message_ids)
    for m, status, n in run(conn, _counts_of(size), params):
        found[m][status] = n
    return found


@lru_cache(maxsize=64)
def _due_of(n: int) -> Statement:
    # FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite's writer is alone anyway): the scheduler's claim. A message
    # another replica's tick holds is left to it, and one it has just stepped is re-checked against its
    # committed next_due_at, so two schedulers never step the same message nor queue its webhooks twice.
    return Statement(select(_m).where(in_list(_m.c.id, "id", n), _m.c.next_due_at.is_not(None),
                                      _m.c.next_due_at <= bindparam("now")).order_by(_m.c.id)
                     .with_for_update(skip_locked=True))


def due_of(conn: sqlite3.Connection, message_ids: list[int], now: float) -> list[SimpleNamespace]:
    """Those of `message_ids` still due at `now` and not held by another transaction, now held by this
    one until it ends (the scheduler's claim, inside its write transaction)."""
    if not message_ids:
        return []
    size, params = padded_in_params("id", message_ids)
    return plain(run(conn, _due_of(size), {**params, "now": now}))


def set_progress(conn: sqlite3.Connection, rows: Iterable[tuple[float | None, float, str, float | None, int]]) -> None:
    """(next_due_at, updated_at, status, completed_at, id) for several messages in one executemany."""
    run_many(conn, _SET_PROGRESS, [{"next_due_at": n, "updated_at": u, "status": s, "completed_at": c, "mid": i}
                                   for n, u, s, c, i in rows])


def get(conn: sqlite3.Connection, message_id: int) -> Message | None:
    return to_model(Message, run(conn, _GET, {"id": message_id}).fetchone())


_CLAIM_DUE = Statement(select(_m).where(_m.c.id == big_id("id"), _m.c.next_due_at.is_not(None),
                                        _m.c.next_due_at <= bindparam("now")).with_for_update(skip_locked=True))
_LOCK = Statement(select(_m).where(_m.c.id == big_id("id")).with_for_update())


def claim_due(conn: sqlite3.Connection, message_id: int, now: float) -> Message | None:
    """The message if it is due at `now` and no other transaction holds it; held until this one ends
    (one message's claim: see _due_of)."""
    return to_model(Message, run(conn, _CLAIM_DUE, {"id": message_id, "now": now}).fetchone())


def lock(conn: sqlite3.Connection, message_id: int) -> Message | None:
    """The message, its row held until this transaction ends (waiting for another holder): for a
    check-then-write on one message (a cancel, a forced status, a chunk of a huge send's step)."""
    return to_model(Message, run(conn, _LOCK, {"id": message_id}).fetchone())


@lru_cache(maxsize=64)
def _statuses_of(n: int) -> Statement:
    return Statement(select(_m.c.id, _m.c.status).where(in_list(_m.c.id, "id", n)))


def statuses_of(conn: sqlite3.Connection, message_ids: list[int]) -> dict[int, str]:
    """Current status of each message (one statement; the scheduler announces changed messages with it)."""
    found: dict[int, str] = {}
    for start in range(0, len(message_ids), 512):
        size, params = padded_in_params("id", message_ids[start:start + 512])
        found.update(run(conn, _statuses_of(size), params).fetchall())
    return found


def by_public_id(conn: sqlite3.Connection, provider: str, public_id: str) -> Message | None:
    row = run(conn, _BY_PUBLIC_ID, {"provider": provider, "public_id": public_id})
    return to_model(Message, row.fetchone())


def set_fields(conn: sqlite3.Connection, message_id: int, **values: Any) -> int:
    return update_row(conn, "message", {"id": message_id}, values)


def due(conn: sqlite3.Connection, now: float, limit: int) -> list[SimpleNamespace]:
    """Messages due at `now`, earliest first, as plain rows (see plain)."""
    return plain(run(conn, _DUE, {"now": now, "limit": limit}))


def plain(rows: Iterable[sqlite3.Row]) -> list[SimpleNamespace]:
    """Message rows with attribute access but no ORM: ~1 us each where a Message (model_construct) costs
    ~13 us plus ~0.5 us per attribute read; the scheduler reads thousands per second (profiled). Turn
    one into a Message (`Message.model_construct(**vars(row))`) only for code that needs the model."""
    return [SimpleNamespace(**dict(r)) for r in rows]


def recent_recipients(conn: sqlite3.Connection, account_id: str, since: float, msisdns: list[str]) -> list[sqlite3.Row]:
    """(msisdn, status, meta) of the account's recipients among `msisdns` in messages created at or after `since`."""
    params = {"account_id": account_id, "since": since, "msisdns": json.dumps(msisdns)}
    return run(conn, _RECENT_RECIPIENTS, params).fetchall()


def delete(conn: sqlite3.Connection, message_id: int) -> bool:
    """Remove one message and all it owns (recipients, counters, events, webhooks and their attempts),
    inside the caller's transaction; False when there was no such message."""
    span = run(conn, _SPAN, {"id": message_id}).fetchone()
    if span is None:
        return False
    # By the contiguous id range, not message_id: a primary-key range delete, fast for a 2M-recipient send.
    if span[0] is not None:
        run(conn, _DELETE_RECIPIENTS, {"lo": span[0], "hi": span[1], "id": message_id})
    for statement in (_DELETE_COUNTS, _DELETE_EVENTS, _DELETE_ATTEMPTS, _DELETE_WEBHOOKS, _DELETE_MESSAGE):
        run(conn, statement, {"id": message_id})
    return True
