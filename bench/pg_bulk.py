"""The 2,000,000-number me-sms send on PostgreSQL: the store's insert (recipients.copy_in under
messages.insert_with_recipients) against a raw COPY of the same rows, in the same run.

Per run and as medians of --runs runs: `raw_copy_s` (the baseline: the same rows, already rendered as
COPY text, copied into a same-shaped table with the same indexes), `store_insert_s` (JSON array of
numbers in, message + recipients + counters stored, as the send does) and their ratio (target <= 2).

    .venv/bin/python -m bench.pg_bulk [--n 2000000] [--runs 3] [--url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import orjson
import psycopg

from bench.mesms_scale import numbers
from mockserver.core.models import Message
from mockserver.core.runtime import Runtime
from mockserver.core.store import messages
from mockserver.settings import Settings


def raw_copy(conn: psycopg.Connection, rows_text: list[str]) -> float:
    """The baseline: COPY of pre-rendered rows into raw_recipient (LIKE recipient INCLUDING ALL)."""
    conn.execute("TRUNCATE raw_recipient")
    start = time.perf_counter()
    with conn.transaction(), conn.cursor().copy(
            "COPY raw_recipient (id, message_id, msisdn, status, outcome, next_at, updated_at, done_at) "
            "FROM STDIN") as copy:
        for chunk in rows_text:
            copy.write(chunk)
    return time.perf_counter() - start


def store_insert(runtime: Runtime, body: str, now: float) -> float:
    """What the send does in its write transaction: the message, then its 2M recipients, then counters."""
    with runtime.db.write() as conn:
        conn.execute("DELETE FROM recipient")
        conn.execute("DELETE FROM messagecount")
    start = time.perf_counter()
    with runtime.db.write() as conn:
        msg = Message(public_id=f"bench-{time.time_ns()}", provider="mesms", account_id="bench", body="hello",
                      created_at=now, updated_at=now)
        messages.insert_with_recipients(conn, msg, body, None, initial_status="queued", first_due=now + 1,
                                        rules=runtime.rules)
    return time.perf_counter() - start


def render(msisdns: list[str], now: float) -> list[str]:
    rows = [f"{i + 1}\t1\t{m}\tqueued\tdelivered\t{now + 1!r}\t{now!r}\t\\N\n" for i, m in enumerate(msisdns)]
    return ["".join(rows[i:i + 50_000]) for i in range(0, len(rows), 50_000)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default=os.environ.get("MOCKSERVER_TEST_DATABASE_URL",
                                                        "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    schema = f"bench_{os.getpid()}"
    admin = psycopg.connect(args.url, autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        url = f"{args.url}{'&' if '?' in args.url else '?'}options=-csearch_path%3D{schema}"
        runtime = Runtime(Settings(database_url=url, seed=7, load_fixtures=True, scheduler_enabled=False))
        admin.execute(f"CREATE TABLE {schema}.raw_recipient (LIKE {schema}.recipient INCLUDING ALL)")
        msisdns = numbers(args.n)
        now = time.time()
        body, chunks = orjson.dumps(msisdns).decode(), render(msisdns, now)
        raw_conn = psycopg.connect(url, autocommit=True)
        print(f"{args.n:,} numbers, {args.runs} runs")
        runs = []
        for i in range(args.runs):
            base, ours = raw_copy(raw_conn, chunks), store_insert(runtime, body, now)
            runs.append({"raw_copy_s": base, "store_insert_s": ours, "ratio": ours / base})
            print(f"run {i + 1}: " + ", ".join(f"{k}={v:.2f}" for k, v in runs[-1].items()), flush=True)
        print("\nmedians:")
        for key in runs[0]:
            print(f"  {key:16s} {statistics.median(r[key] for r in runs):8.2f}")
        raw_conn.close()
        runtime.db.close()
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
