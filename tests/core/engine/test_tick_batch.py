"""Small messages stepped together in set-based batches (core/engine/tick_batch.py) land exactly where stepping
each message alone does: recipient rows, counters, credits, message status, events and webhooks, at any
clock time. (A batch that raises is undone and its messages step alone: test_scheduler_robustness.py.)"""

from __future__ import annotations

import json

import pytest

from mockserver.core.engine import tick_batch
from mockserver.core.store import accounts, messages
from tests.conftest import advance
from tests.core.kit import install, runtime_of, send
from mockserver.core.db.sql import run_once
from sqlalchemy import text

MAGIC = ["999001", "999002", "999003", "999004", "999005", "999006", "999007", "999008"]
#: Each send: a few ordinary numbers and one magic number (failed, rejected, stuck, slow, ...).
SENDS = [[f"66812{m}", *(f"668{i:02d}{n:06d}" for n in range(i % 3 + 1))] for i, m in enumerate(MAGIC)]
COLUMNS = "status, outcome, next_at, sent_at, done_at, updated_at"


def _pair(client, receiver, monkeypatch, scheduled_in: float | None) -> tuple[list[tuple], list]:
    """The same sends twice: acc-batch's messages take the batch path, acc-alone's step one by one.
    Also the list of message ids each batch that completed (not undone) advanced."""
    real, advance_batch, done = tick_batch.is_small, tick_batch.advance, []
    monkeypatch.setattr(tick_batch, "is_small", lambda m: real(m) and m.account_id == "acc-batch")

    def counted(rt, conn, msgs, now, result):
        advance_batch(rt, conn, msgs, now, result)
        done.extend(m.id for m in msgs)

    monkeypatch.setattr(tick_batch, "advance", counted)
    install(client, "acc-batch", credits=10_000, dlr_url=receiver.url())
    install(client, "acc-alone", credits=10_000, dlr_url=receiver.url())
    rt = runtime_of(client)
    at = None if scheduled_in is None else rt.clock.now() + scheduled_in
    pairs = []
    for i, numbers in enumerate(SENDS):
        pairs.append(tuple(send(client, numbers, account_id=acc, public_id=f"{acc}-{i}", scheduled_at=at,
                                notify=i % 2 == 0) for acc in ("acc-batch", "acc-alone")))
    return pairs, done


def _state(rt, msg) -> tuple:
    conn = rt.db.conn()
    rows = run_once(conn, text(f"SELECT {COLUMNS} FROM recipient WHERE id BETWEEN :lo AND :hi ORDER BY id"),
                    {"lo": msg.first_recipient_id, "hi": msg.last_recipient_id}).fetchall()
    events = run_once(conn, text("SELECT r.msisdn, e.status, e.at FROM event e LEFT JOIN recipient r "
                                 "ON r.id = e.recipient_id WHERE e.message_id = :m ORDER BY e.at, r.msisdn, e.status"),
                      {"m": msg.id}).fetchall()
    hooks = [json.loads(r[0]) for r in run_once(conn, text("SELECT body FROM webhook WHERE message_id = :m ORDER BY id"),
                                                {"m": msg.id})]
    stored = messages.get(conn, msg.id)
    return ([tuple(r) for r in rows], messages.counts(conn, msg.id), [tuple(e) for e in events],
            sorted((h["to"], h["status"], h["at"]) for h in hooks),
            (stored.status, stored.next_due_at, stored.credits, stored.completed_at))


@pytest.mark.parametrize("scheduled_in", [None, 5.0])
@pytest.mark.parametrize("steps", [[0.5, 1, 2, 4, 200], [1000], [3, 1, 120, 600]])
def test_a_batch_matches_stepping_each_message_alone(client, receiver, monkeypatch, steps, scheduled_in):
    rt = runtime_of(client)
    pairs, batched_ids = _pair(client, receiver, monkeypatch, scheduled_in)
    for seconds in steps:
        advance(client, seconds)
        for batched, alone in pairs:
            assert _state(rt, batched) == _state(rt, alone)
        conn = rt.db.conn()
        assert accounts.balance(conn, "acc-batch") == accounts.balance(conn, "acc-alone")
    assert any(_state(rt, b)[3] for b, _ in pairs)  # webhooks were made (notify sends)
    assert set(batched_ids) == {b.id for b, _ in pairs}  # every acc-batch message went through a batch


def test_batches_stay_within_their_bounds(monkeypatch):
    monkeypatch.setattr(tick_batch, "BATCH_MESSAGES", 32)
    monkeypatch.setattr(tick_batch, "BATCH_RECIPIENTS", 128)

    class Msg:
        def __init__(self, n: int) -> None:
            self.first_recipient_id, self.last_recipient_id = 1, n

    groups = tick_batch.batches([Msg(n) for n in [1] * 40 + [60, 60, 60, 5]])
    # 32 messages; then 8 + 60 + 60 = 128 recipients; then the rest.
    assert [[tick_batch.size(m) for m in g] for g in groups] == [[1] * 32, [1] * 8 + [60, 60], [60, 5]]

