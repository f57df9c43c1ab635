"""Two processes' schedulers ticking one database at once (replicas): every transition runs exactly once,
so no recipient is counted, charged, evented or reported twice. Each tick re-reads what is due inside
its own write transaction (BEGIN IMMEDIATE, which SQLite holds across processes)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from mockserver.core.runtime import Runtime
from mockserver.core.sending import TRACK_EVENTS_LIMIT, Submission, submit
from tests.conftest import make_settings
from tests.core.kit import PROVIDER, TestShaper
from mockserver.core.models import Account
from mockserver.core.store import accounts

MESSAGES, RECIPIENTS = 40, 25  # each recipient: queued -> sent -> delivered, one DLR per step
BULK = TRACK_EVENTS_LIMIT + 1  # one send too large for per-recipient events: the set-based jump path


def runtime(folder: Path) -> Runtime:
    rt = Runtime(make_settings(folder, clock_frozen=True, load_fixtures=False))
    rt.register_shaper(PROVIDER, TestShaper())
    return rt


def seed(folder: Path) -> float:
    rt = runtime(folder)
    with rt.db.write() as conn:
        accounts.create(conn, Account(id="acc-1", provider=PROVIDER, name="t", credits=10**6,
                                      dlr_url="http://127.0.0.1:9/dlr", created_at=rt.clock.now()))
    for m in range(MESSAGES):
        numbers = [f"+63917{m:03d}{r:04d}" for r in range(RECIPIENTS)]
        submit(rt, Submission(provider=PROVIDER, account_id="acc-1", public_id=f"m-{m}", body="hi",
                              numbers=numbers, notify=m % 2 == 0))
    submit(rt, Submission(provider=PROVIDER, account_id="acc-1", public_id="m-bulk", body="hi",
                          numbers=[f"+63918{r:07d}" for r in range(BULK)]))
    at = rt.clock.advance(30)  # everything due; nothing ticked yet
    rt.db.close()
    return at


def tick_replica(folder: str, at: float, start, out) -> None:
    """A replica: its own process, runtime and connection to the shared file; ticks until nothing is due."""
    rt = runtime(Path(folder))
    rt.clock.set(at)  # both replicas at the same (frozen) time, as a shared clock would have them
    start.wait(timeout=60)
    transitions = webhooks = 0
    for _ in range(20):
        result = rt.scheduler.tick()
        transitions += result.transitions
        webhooks += result.webhooks
    out.put((transitions, webhooks))
    rt.db.close()


def test_two_replicas_ticking_one_database_run_each_transition_once(tmp_path):
    at = seed(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()  # both ready before either ticks
    procs = [ctx.Process(target=tick_replica, args=(str(tmp_path), at, start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0

    total = MESSAGES * RECIPIENTS + BULK
    # Two steps per recipient, once each; the bulk send jumps queued -> delivered in one move.
    assert sum(t for t, _ in results) == 2 * MESSAGES * RECIPIENTS + BULK
    rt = runtime(tmp_path)
    conn = rt.db.conn()
    assert [tuple(r) for r in conn.execute("SELECT status, count(*) FROM recipient GROUP BY status")] == [("delivered", total)]
    assert {r[0] for r in conn.execute("SELECT status FROM message")} == {"completed"}
    notified = (MESSAGES // 2) * RECIPIENTS
    assert sum(w for _, w in results) == 2 * notified
    bodies = [json.loads(r[0]) for r in conn.execute("SELECT body FROM webhook")]
    assert len(bodies) == 2 * notified
    assert len({(b["to"], b["status"]) for b in bodies}) == 2 * notified  # no DLR twice
    evented = MESSAGES * RECIPIENTS
    steps = [tuple(r) for r in conn.execute("SELECT status, count(*) FROM event WHERE status IN ('sent', 'delivered') "
                                            "GROUP BY status")]
    assert steps == [("delivered", evented), ("sent", evented)]
    assert accounts.balance(conn, "acc-1") == 10**6 - total  # one credit each, charged once
