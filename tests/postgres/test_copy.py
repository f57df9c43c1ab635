"""The COPY path of a PostgreSQL send stores the same recipients as the portable json_each INSERT on
SQLite: same ids relative to the first, numbers, statuses and outcomes (magic suffixes and the seeded mix)."""

from __future__ import annotations

import json

from mockserver.core.models import Message
from mockserver.core.runtime import Runtime
from mockserver.core.store import messages
from mockserver.settings import Settings


def _store(url: str, numbers: list[str], invalid: list[str]) -> tuple[messages.Inserted, list[tuple]]:
    runtime = Runtime(Settings(database_url=url, seed=5, load_fixtures=False, scheduler_enabled=False,
                               random_failure_rate=0.3))
    try:
        with runtime.db.write() as conn:
            msg = Message(public_id="m-1", provider="mesms", account_id="acc", body="hi", created_at=100.0,
                          updated_at=100.0)
            done = messages.insert_with_recipients(conn, msg, json.dumps(numbers), json.dumps(invalid),
                                                   initial_status="queued", first_due=101.5, rules=runtime.rules)
        rows = runtime.db.conn().execute(
            "SELECT id, message_id, msisdn, status, outcome, next_at, updated_at, done_at FROM recipient ORDER BY id"
        ).fetchall()
        counts = messages.counts(runtime.db.conn(), done.message.id)
        return done, [(r[0] - done.message.first_recipient_id, *tuple(r)[1:]) for r in rows] + [counts]
    finally:
        runtime.db.close()


def test_copy_stores_what_the_portable_insert_stores(tmp_path, pg_url):
    numbers = [f"6681234{i:04d}" for i in range(2_000)] + ["66812340000", "+66812349999"]
    invalid = ["12", "not-a-number"]
    on_pg, pg_rows = _store(pg_url, numbers, invalid)
    on_sqlite, sqlite_rows = _store(f"sqlite:///{tmp_path}/portable.db", numbers, invalid)
    assert (on_pg.accepted, on_pg.invalid) == (on_sqlite.accepted, on_sqlite.invalid) == (2_002, 2)
    assert pg_rows == sqlite_rows
    outcomes = {r[4] for r in pg_rows[:-1]}
    assert {"delivered", "failed", "rejected"} <= outcomes  # the mix and the invalid numbers both show
    assert on_pg.message.last_recipient_id - on_pg.message.first_recipient_id + 1 == 2_004
