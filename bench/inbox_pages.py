"""Inbox page timings over a real uvicorn on 127.0.0.1 with 100,000 stored messages (and one
2,000,000-recipient send), next to GET /_mock/health as the baseline measured in the same run.

    .venv/bin/python -m bench.inbox_pages [--messages 100000] [--big 2000000] [--runs 30]

The store is filled with set-based SQL (seconds, not the HTTP send path); prints medians and p90.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mockserver.core.sending import Submission, submit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.ui.conftest import start_server  # noqa: E402  (the same real-server helper the tests use)


def fill(runtime, count: int) -> float:
    """`count` single-recipient messages across providers, one recipient and one counter row each."""
    started = time.perf_counter()
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        base_m = conn.execute("SELECT coalesce(max(id), 0) FROM message").fetchall()[0][0]
        base_r = conn.execute("SELECT coalesce(max(id), 0) FROM recipient").fetchall()[0][0]
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO message (id, public_id, provider, account_id, channel, sender, body, encoding, parts, credits,"
            " status, recipient_count, first_recipient_id, last_recipient_id, notify, track_events, sandbox, meta,"
            " created_at, updated_at) "
            "SELECT ? + i, 'bench' || i, CASE i % 4 WHEN 0 THEN 'cast' WHEN 1 THEN 'smscpr' WHEN 2 THEN 'mesms' "
            "ELSE 'engagelab' END, 'bench-account', 'sms', 'BENCH', 'Your verification code is ' || (100000 + i % 900000),"
            " 'GSM-7', 1, 1, 'completed', 1, ? + i, ? + i, 0, 1, 0, '{}', ? - (? - i), ? - (? - i) FROM n",
            (count, base_m, base_r, base_r, now, count, now, count))
        conn.execute(
            "INSERT INTO recipient (id, message_id, msisdn, status, outcome, updated_at) "
            "SELECT first_recipient_id, id, '6391' || printf('%08d', id), 'delivered', 'delivered', created_at "
            "FROM message WHERE id > ?", (base_m,))
        conn.execute("INSERT INTO messagecount (message_id, status, n) SELECT id, 'delivered', 1 FROM message "
                     "WHERE id > ?", (base_m,))
    return time.perf_counter() - started


def big_send(runtime, size: int) -> tuple[int, float]:
    started = time.perf_counter()
    numbers = json.dumps([f"66{800000000 + i}" for i in range(size)])
    inserted = submit(runtime, Submission(provider="mesms", account_id="mesms-demo", public_id="bench-big",
                                          body="Big send", numbers=numbers, count=size, charge=False))
    return inserted.message.id, time.perf_counter() - started


def timed(client: httpx.Client, path: str, runs: int) -> list[float]:
    warm = client.get(path)  # warm: templates compiled, connection open
    if "q=" in path or "threads" in path:
        assert 'data-id="50000"' in warm.text or "/inbox/messages/50000" in warm.text, "the number was not found"
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        resp = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, (path, resp.status_code)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=2_000_000, help="recipients of one big send (0: none)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    server = start_server(Path(tempfile.mkdtemp(prefix="inbox-bench-")))
    try:
        print(f"filled {args.messages:,} messages in {fill(server.runtime, args.messages):.2f} s")
        big_id = None
        if args.big:
            big_id, took = big_send(server.runtime, args.big)
            print(f"stored one send to {args.big:,} recipients in {took:.2f} s (message {big_id})")
        targets = {"baseline GET /_mock/health": "/_mock/health", "inbox first page GET /": "/",
                   "next page (keyset)": f"/?cursor={args.messages // 2}",
                   "filter provider=cast": "/?provider=cast",
                   "search a number (+63 91 0005 0000)": "/?q=%2B63%2091%200005%200000",
                   "thread of that number": "/inbox/threads/0910005%200000"}
        if big_id:
            targets[f"detail of the {args.big:,}-recipient send"] = f"/inbox/messages/{big_id}"
            targets["its recipients, a page near the end"] = (
                f"/inbox/messages/{big_id}/recipients?cursor={args.messages + args.big - 100}")
        with httpx.Client(base_url=server.url, timeout=60) as client:
            base = None
            for label, path in targets.items():
                ms = timed(client, path, args.runs)
                med = statistics.median(ms)
                p90 = sorted(ms)[int(len(ms) * 0.9) - 1]
                base = base or med
                print(f"{label:48s} median {med:8.2f} ms  p90 {p90:8.2f} ms  x{med / base:6.1f} baseline")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
