"""What one scheduler tick costs per message: 1,000 one-recipient sends made due at once, then one tick
(tracked events, no webhooks), stepping each message alone (scheduler._advance_message, TICK_BATCH of
them per transaction in savepoints: the baseline) and in set-based batches (core/engine/tick_batch.py, what
small messages take now), alternating, in one run.

    .venv/bin/python -m bench.tick_cost [--messages 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

from mockserver.core.engine import scheduler
from mockserver.core.engine import tick_batch
from mockserver.core.models import Account
from mockserver.core.runtime import Runtime
from mockserver.core.sending import Submission, submit
from mockserver.core.store import accounts
from mockserver.settings import Settings


def one_tick(messages: int, batched: bool) -> float:
    """Seconds one tick takes to advance `messages` due messages (queued -> sent), fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        rt = Runtime(Settings(database_url=f"sqlite:///{folder}/tick.db", clock_frozen=True, load_fixtures=False,
                              scheduler_enabled=False, seed=1))
        with rt.db.write() as conn:
            accounts.create(conn, Account(id="a", provider="bench", name="bench", credits=10**9,
                                          created_at=rt.clock.now()))
        for m in range(messages):
            submit(rt, Submission(provider="bench", account_id="a", public_id=f"m{m}", body="hi",
                                  numbers=[f"+6391700{m:05d}"]))
        rt.clock.advance(1.5)  # every message's queued -> sent step is due
        kept = tick_batch.SMALL_MESSAGE
        tick_batch.SMALL_MESSAGE = kept if batched else -1  # -1: no message is small, each steps alone
        try:
            started = time.perf_counter()
            result = rt.scheduler.tick()
            elapsed = time.perf_counter() - started
        finally:
            tick_batch.SMALL_MESSAGE = kept
        rt.db.close()
    assert result.transitions == messages, result.transitions
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.runs):
        for batched in times:
            times[batched].append(one_tick(args.messages, batched))
    base, now = statistics.median(times[False]), statistics.median(times[True])
    print(f"tick over {args.messages:,} due messages (median of {args.runs}):")
    print(f"  each message alone, {scheduler.TICK_BATCH} per transaction (baseline)  {base:6.3f} s  "
          f"({base / args.messages * 1000:.3f} ms per message)")
    print(f"  set-based batches of {tick_batch.BATCH_MESSAGES}                     {now:6.3f} s  "
          f"({now / args.messages * 1000:.3f} ms per message)  {base / now:4.2f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
