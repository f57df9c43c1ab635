"""Replicas on one database: sends/s with 1 and with 3 server processes (the same load, the same run),
then 3 replicas with one SIGKILLed halfway: how long until every message is final and every DLR is
delivered again (against the same wait without a kill), and how many DLRs the receiver saw twice.

    .venv/bin/python -m bench.replicas [--sends 10000] [--runs 3] [--concurrency 32]

The database is MOCKSERVER_TEST_DATABASE_URL when set (PostgreSQL: reset between runs), else a fresh
SQLite file per run (several processes on one WAL file). Loopback only; the load generator (httpx,
asyncio) runs in this process and shares the machine with the servers.

    .venv/bin/python -m bench.replicas --pg-targets [--driver wrk|httpx] [--seconds 10] [--runs 3]
                                         [--bulk 2000000]

Issue 27's PostgreSQL targets, medians of --runs interleaved runs (needs MOCKSERVER_TEST_DATABASE_URL):
Cast sends/s of one PostgreSQL replica against one server on a SQLite file (>= 0.5x), two replicas
against one (>= 1.3x), and the latency of single Cast sends through replica B while replica A stores a
--bulk-number me-sms send (<= 300 ms).

The sends/s come from wrk by default (one wrk per replica, --concurrency connections in all, for --seconds;
only 2xx answers count), with the machine's CPU use beside them: the httpx load generator of the other
figures (--driver httpx, --sends per case) costs about as much CPU per request as a replica, so on a
2-core box it capped two replicas at what one could do. Back-pressure is off in these cases
(MOCKSERVER_BACKPRESSURE_LAG=0): a wrk run at full speed outruns any scheduler, and its cheap 429s would
stand in for sends.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson
import psycopg

from bench.mesms_scale import numbers

from tests.replicas.cluster import Receiver, cluster, database_url, duplicates, new_sender, spread, unsettled

#: The me-sms fixture key (fixtures/mesms.toml) the bulk send goes through.
MESMS_KEY = "mesms_demo_key_0123456789abcdef"


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


def fresh(base: str, url: str) -> None:
    """Reset, then VACUUM ANALYZE: a reset DELETEs an earlier case's 2M recipients, and until autovacuum
    came by the scheduler's range queries ran as parallel sequential scans over the dead rows (sampled in
    pg_stat_activity: it cut one replica's Cast sends/s from ~34 to ~6)."""
    httpx.post(f"{base}/_mock/reset", timeout=60)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def cast_rate(url: str, replicas: int, sends: int, concurrency: int) -> float:
    """Accepted Cast sends/s through `replicas` servers on `url` (four accounts, round robin)."""
    receiver = Receiver()
    try:
        with cluster(url, replicas) as procs:
            bases = [p.base for p in procs]
            if url.startswith("postgres"):
                fresh(bases[0], url)
            senders = [new_sender(bases[0], "cast", 10_000_000, receiver.url) for _ in range(4)]
            asyncio.run(spread(bases, senders * 25, concurrency))  # warm-up: connections, caches
            started = time.monotonic()
            results = asyncio.run(spread(bases, [senders[i % 4] for i in range(sends)], concurrency))
            elapsed = time.monotonic() - started
            return sum(1 for r in results if r.status == 200) / elapsed
    finally:
        receiver.close()


#: Cases measured with wrk keep the scheduler's back-pressure off (see the module docstring).
NO_BACKPRESSURE = {"MOCKSERVER_BACKPRESSURE_LAG": "0"}


def _wrk_script(senders: list) -> str:
    """wrk Lua: every request a Cast send, the accounts' keys in turn (rows of four accounts, as httpx does)."""
    keys = ", ".join(f'"{s.headers["X-API-Key"]}"' for s in senders)
    body = orjson.dumps(senders[0].body).decode()
    return (f"keys = {{{keys}}}\ncounter = 0\n"
            "request = function()\n  counter = counter + 1\n"
            f'  return wrk.format("POST", "{senders[0].path}", {{["Content-Type"] = "application/json", '
            f'["X-API-Key"] = keys[counter % #keys + 1]}}, [[{body}]])\nend\n')


def _box_cpu() -> tuple[int, int]:
    """(all, idle) jiffies of the whole machine so far (/proc/stat)."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return sum(values), values[3] + values[4]


def cast_rate_wrk(url: str, replicas: int, seconds: int, connections: int) -> tuple[float, float]:
    """Accepted (2xx) Cast sends/s through `replicas` servers on `url`, one wrk per replica sharing
    `connections`, and the machine's CPU use meanwhile (1.0: both cores busy)."""
    receiver = Receiver()
    try:
        with cluster(url, replicas, NO_BACKPRESSURE) as procs, tempfile.TemporaryDirectory() as tmp:
            bases = [p.base for p in procs]
            if url.startswith("postgres"):
                fresh(bases[0], url)
            senders = [new_sender(bases[0], "cast", 10_000_000, receiver.url) for _ in range(4)]
            script = Path(tmp, "send.lua")
            script.write_text(_wrk_script(senders))
            for base in bases:  # warm-up: connections, caches
                subprocess.run(["wrk", "-t1", "-c4", "-d2s", "-s", str(script), base], capture_output=True, check=True)
            total0, idle0 = _box_cpu()
            runs = [subprocess.Popen(["wrk", "-t1", f"-c{max(1, connections // replicas)}", f"-d{seconds}s", "-s",
                                      str(script), base], stdout=subprocess.PIPE, text=True) for base in bases]
            outputs = [run.communicate()[0] for run in runs]
            total1, idle1 = _box_cpu()
            accepted = 0.0
            for out in outputs:
                answered = int(re.search(r"(\d+) requests in", out).group(1))
                bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
                accepted += (answered - bad) / seconds
            return accepted, 1 - (idle1 - idle0) / max(total1 - total0, 1)
    finally:
        receiver.close()


def latency_beside_bulk(url: str, bulk: int) -> dict:
    """Two replicas: single Cast sends through B, one after another, while A stores a `bulk`-number me-sms
    send; their latencies (ms) while the bulk request was open, and how long the bulk send took."""
    body = orjson.dumps({"sender": "MeSMS", "content": "Flash sale", "msisdns": numbers(bulk)})
    receiver = Receiver()
    try:
        with cluster(url, 2) as (a, b):
            fresh(a.base, url)
            cast = new_sender(a.base, "cast", 10_000_000, receiver.url)
            answer: dict = {}

            def big() -> None:
                t = time.monotonic()
                try:
                    answer["status"] = httpx.post(
                        f"{a.base}/mesms/api/v2/sms/send", content=body, timeout=600,
                        headers={"x-api-key": MESMS_KEY, "content-type": "application/json"}).status_code
                except httpx.HTTPError as exc:  # reported with the figures, not hidden
                    answer["status"] = f"{type(exc).__name__}"
                answer["s"] = time.monotonic() - t
            latencies: list[float] = []  # of accepted sends (200); a refusal (429 by back-pressure) is counted apart
            statuses: Counter[int] = Counter()
            with httpx.Client(timeout=60) as http:
                for _ in range(20):  # warm-up
                    http.post(b.base + cast.path, headers=cast.headers, json=cast.body)
                thread = threading.Thread(target=big)
                thread.start()
                while thread.is_alive():
                    t = time.perf_counter()
                    status = http.post(b.base + cast.path, headers=cast.headers, json=cast.body).status_code
                    statuses[status] += 1
                    if status == 200:
                        latencies.append((time.perf_counter() - t) * 1000)
                    else:
                        time.sleep(0.01)  # a refusal answers at once: do not spin on it
                thread.join()
            latencies = latencies or [float("nan")]
            return {"median_ms": statistics.median(latencies), "max_ms": max(latencies), "cast": dict(statuses),
                    "bulk_status": answer["status"], "bulk_s": answer["s"]}
    finally:
        receiver.close()


def pg_targets(args: argparse.Namespace) -> int:
    pg = os.environ.get("MOCKSERVER_TEST_DATABASE_URL")
    if not pg:
        raise SystemExit("--pg-targets needs MOCKSERVER_TEST_DATABASE_URL (a PostgreSQL database)")
    if args.driver == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("--driver wrk needs wrk (apt-get install wrk); or --driver httpx")
    rows: dict[str, list[float]] = {"sqlite 1": [], "pg 1": [], "pg 2": []}
    busy: dict[str, list[float]] = {k: [] for k in rows}
    beside: list[dict] = []

    def rate(db: str, replicas: int) -> float:
        if args.driver == "httpx":
            return cast_rate(db, replicas, args.sends, args.concurrency)
        sends, cpu = cast_rate_wrk(db, replicas, args.seconds, args.concurrency)
        busy[f"{'pg' if db.startswith('postgres') else 'sqlite'} {replicas}"].append(cpu)
        return sends

    for run in range(args.runs):  # interleaved: drift on the shared box hits every case alike
        with tempfile.TemporaryDirectory() as tmp:
            rows["sqlite 1"].append(rate(f"sqlite:///{tmp}/bench.db", 1))
        rows["pg 1"].append(rate(pg, 1))
        rows["pg 2"].append(rate(pg, 2))
        if args.bulk:
            beside.append(latency_beside_bulk(pg, args.bulk))
        print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in rows.items())
              + (f"; {beside[-1]}" if beside else ""), flush=True)
    med = {k: statistics.median(v) for k, v in rows.items()}
    if args.driver == "wrk":
        print(f"\nwrk, {args.concurrency} connections in all, {args.seconds} s per case; machine CPU busy (medians): "
              + ", ".join(f"{k} {statistics.median(v) * 100:.0f} %" for k, v in busy.items()))
    how = f"{args.sends:,} per case" if args.driver == "httpx" else f"wrk for {args.seconds} s per case"
    print(f"\nCast sends, {how}, {args.concurrency} in flight, medians of {args.runs} runs:")
    print(f"  sqlite, 1 server      {med['sqlite 1']:7,.0f}/s")
    print(f"  postgresql, 1 replica {med['pg 1']:7,.0f}/s  {med['pg 1'] / med['sqlite 1']:4.2f}x sqlite (>= 0.5x)")
    print(f"  postgresql, 2 replicas {med['pg 2']:6,.0f}/s  {med['pg 2'] / med['pg 1']:4.2f}x 1 replica (>= 1.3x)")
    if beside:
        lat = statistics.median(r["median_ms"] for r in beside)
        worst = statistics.median(r["max_ms"] for r in beside)
        print(f"  accepted Cast sends on replica B during a {args.bulk:,}-number me-sms send on A: median {lat:.0f} ms, "
              f"slowest {worst:.0f} ms (median of runs; target <= 300 ms); statuses {[r['cast'] for r in beside]}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sends", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--pg-targets", action="store_true", help="issue 27's PostgreSQL figures instead")
    ap.add_argument("--bulk", type=int, default=2_000_000, help="--pg-targets: the bulk send's numbers (0: skip)")
    ap.add_argument("--driver", choices=("wrk", "httpx"), default="wrk", help="--pg-targets: the load generator")
    ap.add_argument("--seconds", type=int, default=10, help="--pg-targets with wrk: each case's run")
    args = ap.parse_args()
    if args.pg_targets:
        return pg_targets(args)
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
