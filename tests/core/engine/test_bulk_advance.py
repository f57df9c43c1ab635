"""The scheduler's one-UPDATE catch-up for big sends (no per-recipient events or webhooks) lands every
recipient, counter and refund exactly where the step-by-step path does, at any clock time."""

from __future__ import annotations

import pytest

from mockserver.core.sending import Submission, submit
from mockserver.core.store import accounts, messages
from tests.conftest import advance
from tests.core.kit import install, runtime_of
from mockserver.core.db.sql import run_once
from sqlalchemy import text

SUFFIXES = ["999001", "999002", "999003", "999004", "999005", "999006", "999007", "999008"]
NUMBERS = [f"66812{s}" for s in SUFFIXES] + [f"668{n:08d}" for n in range(40)]
COLUMNS = "status, outcome, next_at, sent_at, done_at, updated_at"


def _send(rt, account_id: str, public_id: str, scheduled_in: float | None, bulk: bool):
    now = rt.clock.now()
    ins = submit(rt, Submission(provider="testprov", account_id=account_id, public_id=public_id, body="hi",
                                numbers=NUMBERS, scheduled_at=None if scheduled_in is None else now + scheduled_in))
    with rt.db.write() as conn:  # the bulk path is taken by messages too big to track per recipient
        messages.set_fields(conn, ins.message.id, track_events=not bulk, notify=False)
    return ins.message


def _rows(rt, msg):
    sql = text(f"SELECT {COLUMNS} FROM recipient WHERE id BETWEEN :lo AND :hi ORDER BY id")
    return [tuple(r) for r in run_once(rt.db.conn(), sql, {"lo": msg.first_recipient_id, "hi": msg.last_recipient_id})]


@pytest.mark.parametrize("scheduled_in", [None, 5.0])
@pytest.mark.parametrize("steps", [[0.5], [1], [2], [4], [4, 200], [1000], [3, 1, 120, 600], [7, 0.5, 130]])
def test_bulk_catch_up_matches_step_by_step(client, steps, scheduled_in):
    install(client, "acc-step", credits=10_000)
    install(client, "acc-bulk", credits=10_000)
    rt = runtime_of(client)
    rt.clock.freeze()
    stepwise = _send(rt, "acc-step", "m-step", scheduled_in, bulk=False)
    bulk = _send(rt, "acc-bulk", "m-bulk", scheduled_in, bulk=True)
    for seconds in steps:
        advance(client, seconds)
        assert _rows(rt, bulk) == _rows(rt, stepwise)
        conn = rt.db.conn()
        assert messages.counts(conn, bulk.id) == messages.counts(conn, stepwise.id)
        assert accounts.balance(conn, "acc-bulk") == accounts.balance(conn, "acc-step")
        a, b = messages.get(conn, bulk.id), messages.get(conn, stepwise.id)
        assert (a.status, a.next_due_at, a.credits) == (b.status, b.next_due_at, b.credits)


def test_bulk_counts_add_up_and_failures_are_refunded(client):
    install(client, "acc-bulk", credits=10_000)
    rt = runtime_of(client)
    rt.clock.freeze()
    msg = _send(rt, "acc-bulk", "m-bulk", None, bulk=True)
    advance(client, 1000)
    counts = messages.counts(rt.db.conn(), msg.id)
    assert sum(counts.values()) == len(NUMBERS)
    assert counts["delivered"] == 40 + 1  # ordinary numbers plus the slow one
    assert counts["queued"] == 1  # 'stuck' stays queued and keeps the message open
    assert messages.get(rt.db.conn(), msg.id).status == "queued"
    # failed and rejected were never sent: their 2 credits came back
    assert accounts.balance(rt.db.conn(), "acc-bulk") == 10_000 - len(NUMBERS) + 2
