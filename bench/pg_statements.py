"""Statements (and round trips) per Cast send on PostgreSQL: every statement the sandbox's psycopg connections
run while `--sends` single Cast sends go through one in-process app, counted per send and listed by text.

    MOCKSERVER_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.pg_statements

Round trips: a statement is one; executemany is one (psycopg pipelines it); COPY FROM STDIN is two; a
statement with the transaction's BEGIN in front is one for both; a batched transaction's queue (the group
writer's jobs: PgDatabase.write(batched=True)) is one for all its statements. The
scheduler is off, so what is counted is the send's own path (authentication's cache checks, the shared
clock's check, the group writer's transaction) plus the feed relay and the request journal behind it.
"""

from __future__ import annotations

import argparse
import os
import re
import threading
import uuid
from collections import Counter

import psycopg
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.core.db.postgres import BEGIN_PREFIX, PgConnection
from mockserver.settings import Settings

SEND = "/cast/api/v1/sms/send"
#: Quoted strings and numbers in a statement bound on the client (display only).
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b")


class Tally:
    """Wraps psycopg's ClientCursor (the store's cursors) to count statements while `on` is set."""

    def __init__(self) -> None:
        self.on = threading.Event()
        self.texts: Counter[str] = Counter()
        self.trips = 0
        self._lock = threading.Lock()

    def note(self, kind: str, query: object, trips: int) -> None:
        if self.on.is_set():
            with self._lock:
                self.texts[f"{kind}{' '.join(str(query).split())[:100]}"] += 1
                self.trips += trips

    def note_trip(self) -> None:
        if self.on.is_set():
            with self._lock:
                self.trips += 1

    def install(self) -> None:
        cursor = psycopg.ClientCursor
        execute, many, copy = cursor.execute, cursor.executemany, psycopg.Cursor.copy
        send_queued = PgConnection.send_queued
        tally = self
        batch = threading.local()  # set while a batched transaction's queue goes out as one query

        def counted_execute(self, query, *args, **kwargs):
            text = str(query)
            if getattr(batch, "on", False):  # its statements were noted one by one: one round trip
                tally.note_trip()
            elif text.startswith(BEGIN_PREFIX):  # BEGIN riding with the transaction's first statement
                tally.note("", "BEGIN", 1)
                tally.note("", text[len(BEGIN_PREFIX):], 0)
            else:
                tally.note("", query, 1)
            return execute(self, query, *args, **kwargs)

        def counted_send_queued(self):
            for text, _ in self.queue or ():  # bound on the client: values shown as ? to group by statement
                tally.note("", _LITERALS.sub("?", text), 0)
            batch.on = True
            try:
                return send_queued(self)
            finally:
                batch.on = False
        PgConnection.send_queued = counted_send_queued

        def counted_many(self, query, *args, **kwargs):
            tally.note("executemany: ", query, 1)
            return many(self, query, *args, **kwargs)

        def counted_copy(self, statement, *args, **kwargs):
            tally.note("", statement, 2)
            return copy(self, statement, *args, **kwargs)
        cursor.execute, cursor.executemany, psycopg.Cursor.copy = counted_execute, counted_many, counted_copy
        psycopg.ClientCursor.copy = counted_copy


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sends", type=int, default=50)
    args = ap.parse_args()
    base = os.environ.get("MOCKSERVER_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        tally = Tally()
        tally.install()
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        with TestClient(create_app(Settings(database_url=url, scheduler_enabled=False, rate_limit_enabled=False,
                                             seed=1))) as client:
            key = client.post("/_mock/accounts", json={"provider": "cast", "credits": 10**6}).json()
            headers = {"X-API-Key": key["credentials"]["api_key"]}
            for _ in range(10):  # warm-up: caches, connections
                client.post(SEND, headers=headers, json={"to": "09171234567", "message": "hi"})
            tally.on.set()
            for _ in range(args.sends):
                assert client.post(SEND, headers=headers, json={"to": "09171234567", "message": "hi"}).status_code == 200
            tally.on.clear()
        n = args.sends
        print(f"{sum(tally.texts.values()) / n:.1f} statements, {tally.trips / n:.1f} round trips per Cast send "
              f"({n} sends, one at a time):")
        for text, count in tally.texts.most_common():
            print(f"  {count / n:5.2f}  {text}")
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
