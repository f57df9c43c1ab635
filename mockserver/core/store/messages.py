"""Messages: insert a submission with all its recipients in one statement, read, list, count."""

from __future__ import annotations

import json
import sqlite3

import orjson
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Iterable

from mockserver.core.lifecycle import OutcomeRules, Status
from mockserver.core.models import Message
from mockserver.core.store import recipients
from mockserver.core.store.rows import dialect, insert, to_model, to_models, update


def _outcome_sql(rules: OutcomeRules, message_id: int = 0) -> tuple[str, list[Any]]:
    """A CASE over json_each's value/key that picks each recipient's outcome (mirrors OutcomeRules).

    When every magic suffix has one length (the fixtures' case) a simple CASE computes substr() once
    per row: measured on 2M rows, 8 searched WHENs cost ~3 s over a constant, the simple CASE ~0.7 s.
    """
    mix, margs = ["CASE"], []
    for outcome, threshold in rules.mix():  # same formula as lifecycle.random_pick
        mix.append("WHEN ((? * 7919 + key + ?) % 1000003) * 2654435761 % 1000003 % 1000000 < ? THEN ?")
        margs += [message_id, rules.seed, threshold, str(outcome)]
    rest, rest_args = (" ".join(mix) + " ELSE 'delivered' END", margs) if margs else ("'delivered'", [])
    if not rules.magic:
        return rest, rest_args
    lengths = {len(rule.suffix) for rule in rules.magic}
    parts, args = [], []
    if len(lengths) == 1:
        parts.append(f"CASE substr(value, -{lengths.pop()})")
        for rule in rules.magic:
            parts.append("WHEN ? THEN ?")
            args += [rule.suffix, str(rule.outcome)]
    else:
        parts.append("CASE")
        for rule in rules.magic:
            parts.append("WHEN substr(value, -?) = ? THEN ?")
            args += [len(rule.suffix), rule.suffix, str(rule.outcome)]
    parts.append(f"ELSE {rest} END")
    return " ".join(parts), args + rest_args


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
    assign(msg, id=insert(conn, msg))
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM recipient").fetchone()[0]
    if dialect(conn) == "postgresql":
        return _copy_with_recipients(conn, msg, first, numbers_json, invalid_json, initial_status, first_due, rules)
    case_sql, case_args = _outcome_sql(rules, msg.id)
    # Explicit ids (first + index): contiguous on both engines (a PostgreSQL sequence is not max(id) + 1);
    # the CASTs type a NULL parameter, which PostgreSQL would otherwise take for text.
    cur = conn.execute(
        f"INSERT INTO recipient (id, message_id, msisdn, status, outcome, next_at, updated_at) "
        f"SELECT ? + key, ?, value, ?, {case_sql}, CAST(? AS DOUBLE PRECISION), ? FROM json_each(?)",
        [first, msg.id, initial_status, *case_args, first_due, msg.created_at, numbers_json],
    )
    accepted = cur.rowcount
    invalid = 0
    if invalid_json:
        cur = conn.execute(
            "INSERT INTO recipient (id, message_id, msisdn, status, outcome, next_at, updated_at, done_at) "
            "SELECT ? + key, ?, value, 'invalid', 'rejected', NULL, ?, ? FROM json_each(?)",
            [first + accepted, msg.id, msg.created_at, msg.created_at, invalid_json],
        )
        invalid = cur.rowcount
    return _finish(conn, msg, first, accepted, invalid, first_due, initial_status)


def _copy_with_recipients(conn, msg: Message, first: int, numbers_json: str, invalid_json: str | None,
                          initial_status: str, first_due: float | None, rules: OutcomeRules) -> Inserted:
    """PostgreSQL: the recipients go in through COPY (recipients.copy_in), the twin of the json_each INSERT."""
    numbers, invalid = orjson.loads(numbers_json), orjson.loads(invalid_json) if invalid_json else []
    accepted = recipients.copy_in(conn, first, msg.id, numbers, initial_status, None, rules, first_due, msg.created_at)
    rejected = recipients.copy_in(conn, first + accepted, msg.id, invalid, "invalid", "rejected", rules, None,
                                  msg.created_at, msg.created_at)
    return _finish(conn, msg, first, accepted, rejected, first_due, initial_status)


def _finish(conn, msg: Message, first: int, accepted: int, invalid: int, first_due: float | None,
            initial_status: str) -> Inserted:
    total = accepted + invalid
    last = first + total - 1 if total else None
    span = {"first_recipient_id": first if total else None, "last_recipient_id": last,
            "recipient_count": total, "next_due_at": first_due if accepted else None}
    assign(msg, **span)
    update(conn, "message", {"id": msg.id}, span)
    add_counts(conn, msg.id, {initial_status: accepted, Status.INVALID: invalid})
    return Inserted(msg, accepted, invalid)


def add_counts(conn: sqlite3.Connection, message_id: int, deltas: dict[str, int]) -> None:
    rows = [(message_id, str(s), n) for s, n in deltas.items() if n]
    conn.executemany(
        "INSERT INTO messagecount (message_id, status, n) VALUES (?, ?, ?) "
        "ON CONFLICT (message_id, status) DO UPDATE SET n = messagecount.n + excluded.n",
        rows,
    )


def counts(conn: sqlite3.Connection, message_id: int) -> dict[str, int]:
    rows = conn.execute("SELECT status, n FROM messagecount WHERE message_id = ? AND n > 0", (message_id,))
    return {r[0]: r[1] for r in rows}


def add_counts_many(conn: sqlite3.Connection, deltas: Iterable[tuple[int, str, int]]) -> None:
    """add_counts for several messages in one executemany: (message_id, status, delta) rows."""
    rows = [(m, str(s), n) for m, s, n in deltas if n]
    if rows:
        conn.executemany(
            "INSERT INTO messagecount (message_id, status, n) VALUES (?, ?, ?) "
            "ON CONFLICT (message_id, status) DO UPDATE SET n = messagecount.n + excluded.n",
            rows,
        )


def counts_of(conn: sqlite3.Connection, message_ids: list[int]) -> dict[int, dict[str, int]]:
    """counts() of several messages in one statement."""
    found: dict[int, dict[str, int]] = {m: {} for m in message_ids}
    marks = ",".join("?" * len(message_ids))
    for m, status, n in conn.execute(f"SELECT message_id, status, n FROM messagecount WHERE message_id IN ({marks}) "
                                     "AND n > 0", message_ids):
        found[m][status] = n
    return found


def due_of(conn: sqlite3.Connection, message_ids: list[int], now: float) -> list[SimpleNamespace]:
    """Those of `message_ids` still due at `now` (re-read inside the scheduler's write transaction)."""
    marks = ",".join("?" * len(message_ids))
    rows = conn.execute(f"SELECT * FROM message WHERE id IN ({marks}) AND next_due_at IS NOT NULL "
                        "AND next_due_at <= ? ORDER BY id", [*message_ids, now])
    return plain(rows)


def set_progress(conn: sqlite3.Connection, rows: Iterable[tuple[float | None, float, str, float | None, int]]) -> None:
    """(next_due_at, updated_at, status, completed_at, id) for several messages in one executemany."""
    conn.executemany("UPDATE message SET next_due_at = ?, updated_at = ?, status = ?, completed_at = ? WHERE id = ?",
                     list(rows))


def get(conn: sqlite3.Connection, message_id: int) -> Message | None:
    return to_model(Message, conn.execute("SELECT * FROM message WHERE id = ?", (message_id,)).fetchone())


def statuses_of(conn: sqlite3.Connection, message_ids: list[int]) -> dict[int, str]:
    """Current status of each message (one statement; the scheduler announces changed messages with it)."""
    found: dict[int, str] = {}
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT id, status FROM message WHERE id IN ({marks})", chunk).fetchall())
    return found


def by_public_id(conn: sqlite3.Connection, provider: str, public_id: str) -> Message | None:
    row = conn.execute("SELECT * FROM message WHERE provider = ? AND public_id = ?", (provider, public_id))
    return to_model(Message, row.fetchone())


def set_fields(conn: sqlite3.Connection, message_id: int, **values: Any) -> int:
    return update(conn, "message", {"id": message_id}, values)


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


def list_newest(conn: sqlite3.Connection, flt: MessageFilter, limit: int, offset: int = 0) -> list[sqlite3.Row]:
    """Messages newest first with their first recipient's number and status (keyset or offset)."""
    where, args = ["1=1"], []
    if flt.provider:
        where.append("m.provider = ?"); args.append(flt.provider)
    if flt.account_id:
        where.append("m.account_id = ?"); args.append(flt.account_id)
    if flt.message_statuses:
        vals = list(flt.message_statuses)
        where.append(f"m.status IN ({','.join('?' * len(vals))})"); args += vals
    if flt.recipient_statuses:
        vals = list(flt.recipient_statuses)
        where.append(f"r.status IN ({','.join('?' * len(vals))})"); args += vals
    if flt.channel:
        where.append("m.channel = ?"); args.append(flt.channel)
    if flt.sender:
        where.append("m.sender = ?"); args.append(flt.sender)
    if flt.to:
        where.append("r.msisdn = ?"); args.append(flt.to)
    if flt.text:
        where.append("(m.body LIKE ? OR r.msisdn LIKE ? OR m.public_id = ?)")
        args += [f"%{flt.text}%", f"%{flt.text}%", flt.text]
    if flt.since is not None:
        where.append("m.created_at >= ?"); args.append(flt.since)
    if flt.until is not None:
        where.append("m.created_at <= ?"); args.append(flt.until)
    if flt.before_id is not None:
        where.append("m.id < ?"); args.append(flt.before_id)
    sql = (
        "SELECT m.*, r.msisdn AS r_msisdn, r.status AS r_status, r.sent_at AS r_sent_at, "
        "r.done_at AS r_done_at, r.updated_at AS r_updated_at, r.outcome AS r_outcome "
        "FROM message m LEFT JOIN recipient r ON r.id = m.first_recipient_id "
        f"WHERE {' AND '.join(where)} ORDER BY m.id DESC LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*args, limit, offset]).fetchall()


def to_message(row: sqlite3.Row) -> Message:
    data = {k: row[k] for k in row.keys() if not k.startswith("r_")}
    return Message.model_construct(**data)


def due(conn: sqlite3.Connection, now: float, limit: int = 200) -> list[SimpleNamespace]:
    """Messages due at `now`, earliest first, as plain rows (see plain)."""
    rows = conn.execute(
        "SELECT * FROM message WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at LIMIT ?",
        (now, limit),
    )
    return plain(rows)


def plain(rows: Iterable[sqlite3.Row]) -> list[SimpleNamespace]:
    """Message rows with attribute access but no ORM: ~1 us each where a Message (model_construct) costs
    ~13 us plus ~0.5 us per attribute read; the scheduler reads thousands per second (profiled). Turn
    one into a Message (`Message.model_construct(**vars(row))`) only for code that needs the model."""
    return [SimpleNamespace(**dict(r)) for r in rows]


def recent_recipients(conn: sqlite3.Connection, account_id: str, since: float, msisdns: list[str]) -> list[sqlite3.Row]:
    """(msisdn, status, meta) of the account's recipients among `msisdns` in messages created at or after `since`."""
    return conn.execute(
        "SELECT r.msisdn AS msisdn, r.status AS status, m.meta AS meta FROM message m "
        "JOIN recipient r ON r.id BETWEEN m.first_recipient_id AND m.last_recipient_id "
        "WHERE m.account_id = ? AND m.created_at >= ? AND r.msisdn IN (SELECT value FROM json_each(?))",
        (account_id, since, json.dumps(msisdns)),
    ).fetchall()


def list_for_account(conn: sqlite3.Connection, provider: str, account_id: str, statuses: list[str] | None,
                     delivered: bool | None, before_id: int | None, limit: int) -> list[sqlite3.Row]:
    """An account's messages newest first (keyset on id); `delivered` keeps only messages with (True)
    or without (False) a delivered recipient, read from the kept counters."""
    where, args = ["provider = ?", "account_id = ?"], [provider, account_id]
    if statuses:
        where.append(f"status IN ({','.join('?' * len(statuses))})"); args += statuses
    if delivered is not None:
        has = "EXISTS (SELECT 1 FROM messagecount c WHERE c.message_id = message.id AND c.status = 'delivered' " \
              "AND c.n > 0)"
        where.append(has if delivered else f"NOT {has}")
    if before_id is not None:
        where.append("id < ?"); args.append(before_id)
    sql = f"SELECT * FROM message WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?"
    return conn.execute(sql, [*args, limit]).fetchall()


def delete(conn: sqlite3.Connection, message_id: int) -> bool:
    """Remove one message and all it owns (recipients, counters, events, webhooks and their attempts),
    inside the caller's transaction; False when there was no such message."""
    span = conn.execute("SELECT first_recipient_id, last_recipient_id FROM message WHERE id = ?",
                        (message_id,)).fetchone()
    if span is None:
        return False
    # By the contiguous id range, not message_id: a primary-key range delete, fast for a 2M-recipient send.
    if span[0] is not None:
        conn.execute("DELETE FROM recipient WHERE id BETWEEN ? AND ? AND message_id = ?", (span[0], span[1], message_id))
    conn.execute("DELETE FROM messagecount WHERE message_id = ?", (message_id,))
    conn.execute("DELETE FROM event WHERE message_id = ?", (message_id,))
    conn.execute("DELETE FROM webhookattempt WHERE webhook_id IN (SELECT id FROM webhook WHERE message_id = ?)",
                 (message_id,))
    conn.execute("DELETE FROM webhook WHERE message_id = ?", (message_id,))
    conn.execute("DELETE FROM message WHERE id = ?", (message_id,))
    return True
