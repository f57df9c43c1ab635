"""Replicas on one database: sends/s with 1 and with 3 server processes (the same load, the same run),
then 3 replicas with one SIGKILLed halfway: how long until every message is final and every DLR is
delivered again (against the same wait without a kill), and how many DLRs the receiver saw twice.

    .venv/bin/python -m bench.replicas [--sends 10000] [--runs 3] [--concurrency 32]

The database is MOCKSERVER_TEST_DATABASE_URL when set (PostgreSQL: reset between runs), else a fresh
SQLite file per run (several processes on one WAL file). Loopback only; the load generator (httpx,
asyncio) runs in this process and shares the machine with the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.replicas.cluster import Receiver, cluster, database_url, duplicates, new_sender, spread, unsettled


def _settle(base: str, timeout: float = 300) -> float:
    """Seconds until nothing is left unsettled (messages final, webhooks delivered)."""
    started = time.monotonic()
    while unsettled(base) != (0, 0):
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"not settled after {timeout} s: {unsettled(base)}")
        time.sleep(0.25)
    return time.monotonic() - started


def one_run(replicas: int, sends: int, concurrency: int, kill: bool) -> dict:
    receiver = Receiver()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = database_url(Path(tmp))
            with cluster(url, replicas) as procs:
                bases = [p.base for p in procs]
                if os.environ.get("MOCKSERVER_TEST_DATABASE_URL"):
                    httpx.post(f"{bases[0]}/_mock/reset", timeout=60)
                senders = [new_sender(bases[0], p, 10_000_000, receiver.url) for p in ("cast", "smscpr") * 2]
                killed_at: list[float] = []

                def progress(done: int) -> None:
                    if kill and done == sends // 2:
                        procs[-1].kill()
                        killed_at.append(time.monotonic())
                started = time.monotonic()
                results = asyncio.run(spread(bases, [senders[i % 4] for i in range(sends)], concurrency, progress))
                elapsed = time.monotonic() - started
                accepted = sum(1 for r in results if r.status == 200)
                settle = _settle(bases[0])
                return {"sends_per_s": accepted / elapsed, "accepted": accepted, "settle_s": settle,
                        "since_kill_s": (time.monotonic() - killed_at[0]) if killed_at else None,
                        "duplicates": duplicates(receiver), "dlrs": len(receiver.by_delivery_id()),
                        "other": sorted({r.status for r in results} - {200})}
    finally:
        receiver.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sends", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    cases = (("1 replica", 1, False), ("3 replicas", 3, False), ("3 replicas, 1 killed halfway", 3, True))
    found: dict[str, list[dict]] = {label: [] for label, _, _ in cases}
    for run in range(args.runs):  # interleaved: drift on the shared box hits every case alike
        for label, n, kill in cases:
            found[label].append(one_run(n, args.sends, args.concurrency, kill))
            print(f"run {run + 1} {label}: {found[label][-1]}", flush=True)
    base = statistics.median(r["sends_per_s"] for r in found["1 replica"])
    base_settle = statistics.median(r["settle_s"] for r in found["3 replicas"])
    print(f"\n{args.sends:,} sends, {args.concurrency} in flight, medians of {args.runs} runs "
          f"({database_url(Path('<tmp>')).split(':')[0]}):")
    for label, _, kill in cases:
        rows = found[label]
        rate = statistics.median(r["sends_per_s"] for r in rows)
        settle = statistics.median(r["settle_s"] for r in rows)
        line = (f"  {label:30s} {rate:7,.0f} accepted sends/s  {rate / base:4.2f}x 1 replica   "
                f"settled {settle:5.1f} s after the last answer ({settle / base_settle:4.2f}x 3 replicas, no kill)")
        if kill:
            since = statistics.median(r["since_kill_s"] for r in rows)
            line += f"; all settled {since:5.1f} s after the kill"
        dups = [r["duplicates"] for r in rows]
        line += f"; DLRs {statistics.median(r['dlrs'] for r in rows):,.0f}, duplicates seen {dups}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
