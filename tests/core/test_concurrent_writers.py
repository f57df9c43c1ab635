"""Writers without a global lock (PostgreSQL; SQLite where it applies): concurrent sends on one account never
overdraw nor lose a message, one idempotency key from two replicas makes one message, two schedulers never
step the same message nor deliver a webhook twice, and a send on account B does not wait for a transaction
holding account A's row. Replicas are two apps (two Runtimes) on one database, as in tests/replicas."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from sqlalchemy import select

from mockserver.core.db.sql import run_once
from mockserver.core.models import Message
from mockserver.core.store import accounts, messages
from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.smscpr.kit import AUTH as SMSCPR_AUTH, send as smscpr_send

SEND = f"{kit.V1}/sms/send"
#: Generous: a wait that ends sooner is the pass; the bound only turns a hang into a failure.
TIMEOUT = 30.0


@pytest.fixture
def replicas(client_factory):
    """Two apps on the test's database, sharing the clock through it; no rate limit in the way."""
    return [client_factory(shared_state="on", rate_limit_enabled=False) for _ in range(2)]


def _all_at_once(n: int, call) -> list:
    """`call(i)` for i in range(n) from n threads released together."""
    barrier = threading.Barrier(n)

    def one(i: int):
        barrier.wait(timeout=TIMEOUT)
        return call(i)
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_fifty_concurrent_sends_with_credits_for_thirty(replicas):
    a, b = replicas
    key = kit.new_account(a, credits=30)
    answers = _all_at_once(50, lambda i: (a, b)[i % 2].post(
        SEND, headers=kit.h(key), json={"to": f"0917{i:07d}", "message": "race"}))
    codes = Counter(r.status_code for r in answers)
    assert codes == {200: 30, 402: 20}, [r.text for r in answers if r.status_code not in (200, 402)]
    assert {r.json()["error_code"] for r in answers if r.status_code == 402} == {"INSUFFICIENT_CREDITS"}
    assert kit.balance(a, key) == kit.balance(b, key) == 0
    accepted = {r.json()["message_id"] for r in answers if r.status_code == 200}
    logged = kit.logs(b, key, limit=100)
    assert {e["smpp_message_id"] for e in logged} == accepted and len(logged) == 30  # none lost, none extra


def test_one_idempotency_key_from_two_replicas_at_once_makes_one_message(replicas):
    a, b = replicas
    key = kit.new_account(a, credits=100)
    for n in range(5):
        answers = _all_at_once(2, lambda i: (a, b)[i].post(
            SEND, headers=kit.h(key, **{"X-Idempotency-Key": f"order-{n}"}),
            json={"to": "09171234567", "message": f"once {n}"}))
        assert [r.status_code for r in answers] == [200, 200]
        assert answers[0].content == answers[1].content
        assert sorted(r.headers.get("X-Idempotent-Replay", "") for r in answers) == ["", "true"]
    assert len(kit.logs(a, key, limit=100)) == 5
    assert kit.balance(b, key) == 95


def test_two_schedulers_never_step_one_message_nor_deliver_one_webhook_twice(replicas, receiver):
    a, b = replicas
    sent = [smscpr_send(a if i % 2 else b, callbackUrl=receiver.url(), to=f"+1555000{i:04d}") for i in range(40)]
    assert {r.status_code for r in sent} == {200}, sent[0].text
    rt_b = b.app.state.runtime
    stop = threading.Event()

    def tick_b() -> int:
        ticks = 0
        while not stop.is_set():  # replica B ticks and delivers as fast as it can while A advances
            rt_b.scheduler.tick()
            b.portal.call(rt_b.dispatcher.deliver_due, 0.5)
            ticks += 1
        return ticks
    with ThreadPoolExecutor(max_workers=1) as pool:
        ticking = pool.submit(tick_b)
        for _ in range(6):
            advance(a, 1)
        stop.set()
        assert ticking.result(timeout=TIMEOUT) > 0
    advance(a, 600)  # whatever is left (a retry's backoff) is delivered now
    rt = a.app.state.runtime
    conn = rt.db.conn()
    for r in sent:
        msg = messages.by_public_id(conn, "smscpr", r.json()["msgId"])
        counts = messages.counts(conn, msg.id)
        assert sum(counts.values()) == msg.recipient_count == 1, counts  # each step counted once
    ids = Counter(req["headers"]["X-Mock-Delivery-Id"] for req in receiver.requests)
    assert ids and max(ids.values()) == 1, ids.most_common(3)
    per_message = Counter((body["msgId"], body["status"]) for body in receiver.bodies())
    assert max(per_message.values()) == 1
    assert {body["msgId"] for body in receiver.bodies()} == {r.json()["msgId"] for r in sent}
    assert Counter(body["status"] for body in receiver.bodies() if body["status"] != "DISPATCHED") \
        == Counter(a.get(f"/smscpr/v1/messages/sms/{r.json()['msgId']}", headers=SMSCPR_AUTH).json()["status"]
                   for r in sent)


def test_a_send_on_account_b_does_not_wait_for_a_transaction_holding_account_a(replicas, db_backend):
    if db_backend != "postgresql":
        pytest.skip("a transaction held open beside sends: SQLite has one writer by design")
    a, b = replicas
    key_a, key_b = kit.new_account(a, credits=10), kit.new_account(a, credits=10)
    # Each replica's first authenticated request installs its read cache's triggers (DDL on the account
    # table, which waits for every open writer of that table): done before the held transaction.
    assert kit.balance(a, key_b) == kit.balance(b, key_a) == 10
    with ThreadPoolExecutor(max_workers=2) as pool:
        # A sandbox write transaction (replica B's store, this thread) that took a credit of account A and
        # stays open: what a long send on A looks like to everyone else.
        with b.app.state.runtime.db.write() as conn:
            assert accounts.charge(conn, _account_of(a, key_a), 1)
            on_a = pool.submit(lambda: b.post(SEND, headers=kit.h(key_a), json={"to": "09170000001", "message": "a"}))
            on_b = pool.submit(lambda: a.post(SEND, headers=kit.h(key_b), json={"to": "09170000002", "message": "b"}))
            assert on_b.result(timeout=TIMEOUT).status_code == 200  # B answered while A's row is still held
            assert not on_a.done()  # A's send waits for the row (same account: it must)
        assert on_a.result(timeout=TIMEOUT).status_code == 200
    assert (kit.balance(a, key_a), kit.balance(a, key_b)) == (8, 9)


def _account_of(client, key: str) -> str:
    return accounts.find_key(client.app.state.runtime.db.conn(), "cast", key).account_id


def test_concurrent_messages_get_disjoint_contiguous_recipient_ranges(replicas):
    """The recipient id reservation (no global lock on PostgreSQL): bulk sends at once never share an id.
    On eight accounts: sends on one account queue on its row, those on different accounts do not."""
    a, b = replicas
    keys = [kit.new_account(a, credits=10_000) for _ in range(8)]
    answers = _all_at_once(16, lambda i: (a, b)[i % 2].post(
        f"{kit.V1}/sms/bulk", headers=kit.h(keys[i % 8]),
        json={"to": [f"0917{i:03d}{j:04d}" for j in range(1 + i * 7)], "message": "bulk"}))
    assert {r.status_code for r in answers} == {200}, answers[0].text
    m = Message.__table__
    spans = sorted(tuple(row) for row in run_once(
        a.app.state.runtime.db.conn(),
        select(m.c.first_recipient_id, m.c.last_recipient_id, m.c.recipient_count)
        .where(m.c.account_id.in_([_account_of(a, key) for key in keys]))))
    assert sorted(n for _, _, n in spans) == sorted(1 + i * 7 for i in range(16))
    assert all(hi - lo + 1 == n for lo, hi, n in spans)
    assert all(prev[1] < nxt[0] for prev, nxt in zip(spans, spans[1:]))  # disjoint
