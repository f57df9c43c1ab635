"""Two apps on one database with MOCKSERVER_SHARED_STATE=on answer as one sandbox: the clock, rate
limits and the live feed are shared through the database (core/shared.py). In-process twins of the
multi-process test (tests/replicas/test_replicas.py), so each piece fails on its own."""

from __future__ import annotations

import concurrent.futures
import json
import time

import pytest

from mockserver.core.runtime import Runtime
from mockserver.core.shared import enabled
from mockserver.core.store import feed_events
from tests.conftest import advance, make_settings
from tests.providers.smscpr.kit import AUTH, send

LIST = "/smscpr/v1/messages/sms"


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def pair(client_factory):
    """Two replicas: two apps (each its own Runtime, clock, limiter, feed) on one SQLite file."""
    return [client_factory(shared_state="on", provider_settings={
        "smscpr": {"rate_limit_burst": 5, "rate_limit_per_second": 0.001}}) for _ in range(2)]


def test_auto_shares_on_postgresql_only():
    assert enabled("auto", "postgresql://sandbox@db/sandbox")
    assert not enabled("auto", "sqlite:///./data/mockserver.db")
    assert enabled("on", "sqlite:///x.db") and not enabled("off", "postgresql://db/x")


def test_clock_advanced_on_one_replica_is_the_time_of_the_next_request_on_the_other(pair):
    a, b = pair
    before = b.get("/_mock/clock").json()
    moved = advance(a, 3600)
    seen = b.get("/_mock/clock").json()
    assert seen["now"] == moved["now"] == before["now"] + 3600 and seen["frozen"] is True
    b.post("/_mock/clock/resume")
    assert a.get("/_mock/clock").json()["frozen"] is False


def test_advances_from_two_replicas_add_up(pair):
    """Each advance applies to the stored clock, never to a replica's stale copy."""
    a, b = pair
    start = a.get("/_mock/clock").json()["now"]
    for _ in range(3):
        advance(a, 10)
        advance(b, 100)
    assert a.get("/_mock/clock").json()["now"] == b.get("/_mock/clock").json()["now"] == start + 330


def test_rate_limit_is_one_bucket_across_replicas(pair):
    a, b = pair
    codes = [(a if i % 2 else b).get(LIST, headers=AUTH).status_code for i in range(7)]
    assert codes == [200] * 5 + [429, 429]
    a.post("/_mock/reset", json={"provider": "smscpr"})
    assert b.get(LIST, headers=AUTH).status_code == 200  # a reset on one replica refills it for all


def test_concurrent_checks_on_two_replicas_never_take_more_than_the_burst(tmp_path):
    runtimes = [Runtime(make_settings(tmp_path, shared_state="on")) for _ in range(2)]
    try:
        store = runtimes[0].replicas.buckets
        assert store is not None and runtimes[1].replicas.buckets is not None
        now = runtimes[0].clock.now()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            granted = list(pool.map(lambda i: runtimes[i % 2].replicas.buckets.take("t\x00k", 0.0, 20, now),
                                    range(200)))
        assert granted.count(True) == 20
    finally:
        for rt in runtimes:
            rt.replicas.close()
            rt.db.close()


def test_feed_event_published_on_one_replica_reaches_the_other_with_the_same_id(tmp_path):
    a, b = (Runtime(make_settings(tmp_path, shared_state="on")) for _ in range(2))
    try:
        start = b.feed.last_id
        a.feed.publish("clock", now=1.0, frozen=True)
        b.feed.publish("inbound", id=7, provider="smscpr", account_id="x", sender="1", recipient="2")
        got_b = wait_for(lambda: len(b.feed.since(start) or []) == 2 and b.feed.since(start))
        got_a = wait_for(lambda: len(a.feed.since(start) or []) == 2 and a.feed.since(start))
        assert [(e.id, e.kind) for e in got_a] == [(e.id, e.kind) for e in got_b]
        assert {e.kind for e in got_a} == {"clock", "inbound"} and got_a[1].id > got_a[0].id > start
        assert next(e for e in got_b if e.kind == "clock").data == {"now": 1.0, "frozen": True}
    finally:
        for rt in (a, b):
            rt.replicas.close()
            rt.db.close()


def test_a_message_sent_on_one_replica_is_on_the_feed_of_the_other(pair):
    a, b = pair
    sent = send(a)
    assert sent.status_code == 200, sent.text
    created = wait_for(lambda: [e for e in b.app.state.runtime.feed.since(0) or []
                                   if e.kind == "message.created"])
    assert created[0].data["provider"] == "smscpr"


def test_a_send_stores_its_feed_event_with_the_message(pair, monkeypatch):
    """A relayed feed: the send's message.created row commits in the send's own transaction (no second
    write transaction by the relay after each send), once; a refused send stores none. The relay is kept
    from pumping, so only the send itself can have stored the row."""
    a, _ = pair
    monkeypatch.setattr(a.app.state.runtime.feed.relay, "pump", lambda: 0)
    account = a.post("/_mock/accounts", json={"provider": "cast", "credits": 1}).json()
    headers = {"X-API-Key": account["credentials"]["api_key"]}
    body = {"to": "09171234567", "message": "hi", "sender_id": "CAST"}
    sent, refused = (a.post("/cast/api/v1/sms/send", json=body, headers=headers) for _ in range(2))
    assert (sent.status_code, refused.status_code) == (200, 402), refused.text
    db = a.app.state.runtime.db
    stored = [json.loads(data) for _, kind, data, _ in feed_events.after(db.conn(), 0) if kind == "message.created"]
    assert len(stored) == 1 and sent.json()["message_id"].startswith(stored[0]["public_id"])  # + recipient suffix
    assert stored[0]["account_id"] == account["id"] and stored[0]["recipient_count"] == 1


def test_nobody_listening_the_relay_reads_no_rows_and_a_late_reader_gets_every_event(pair, monkeypatch):
    """Under a send load nobody streams: the relay stores events but does not read them back (that was ~7 %
    of an API process's CPU). A reader that comes later (since, last_id, a stream) catches up first and
    sees every event, with the ids the other replica sees."""
    a, b = pair
    rt_a = a.app.state.runtime
    reads = []
    original = feed_events.after
    monkeypatch.setattr(feed_events, "after", lambda conn, cursor, limit=2000: reads.append(cursor)
                        or original(conn, cursor, limit))
    sent = [send(a) for _ in range(3)]
    assert {r.status_code for r in sent} == {200}
    time.sleep(0.5)  # several relay polls (every 0.15 s) and the sends' pokes: none read rows back
    assert reads == [] and rt_a.feed.relay.stale
    created = [e for e in rt_a.feed.since(0) or [] if e.kind == "message.created"]
    assert len(created) == 3 and len(reads) == 1 and not rt_a.feed.relay.stale
    on_b = [e for e in b.app.state.runtime.feed.since(0) or [] if e.kind == "message.created"]
    assert [(e.id, e.data["id"]) for e in on_b] == [(e.id, e.data["id"]) for e in created]


async def test_a_listener_gets_other_replicas_events_as_they_come(tmp_path):
    """A stream's listener makes the relay read rows back on its own again: another replica's event wakes it."""
    import asyncio

    a, b = (Runtime(make_settings(tmp_path, shared_state="on")) for _ in range(2))
    try:
        start = b.feed.last_id
        with b.feed.listen() as published:
            a.feed.publish("inbound", id=7, provider="smscpr", account_id="x", sender="1", recipient="2")
            await asyncio.wait_for(published.wait(), timeout=5)
        assert [e.kind for e in b.feed.since(start)] == ["inbound"]
    finally:
        for rt in (a, b):
            rt.replicas.close()
            rt.db.close()


def test_a_late_reader_past_the_catch_up_window_is_told_to_resync(tmp_path, monkeypatch):
    """More events went by unread than one catch-up reads: the window restarts at the newest, and a reader
    resuming from an older id gets None (resync), as when its id fell out of the window."""
    from mockserver.core.feed import relay

    monkeypatch.setattr(relay, "CATCH_UP_ROWS", 5)
    a, b = (Runtime(make_settings(tmp_path, shared_state="on")) for _ in range(2))
    try:
        start = b.feed.last_id
        for n in range(12):
            a.feed.publish("inbound", id=n, provider="smscpr", account_id="x", sender="1", recipient="2")
        # Within a relay poll (0.15 s) b reads again; its catch-up skips the 7 oldest.
        wait_for(lambda: b.feed.since(start) is None)
        assert b.feed.last_id == start + 12
        assert [e.data["id"] for e in b.feed.since(start + 7)] == [7, 8, 9, 10, 11]
    finally:
        for rt in (a, b):
            rt.replicas.close()
            rt.db.close()


@pytest.mark.sqlite_only("auto shares state on PostgreSQL; on SQLite one process keeps it in memory")
def test_single_process_sqlite_keeps_the_in_memory_paths(client_factory):
    rt = client_factory().app.state.runtime
    assert not rt.replicas.enabled and rt.replicas.buckets is None and rt.feed.relay is None


def test_one_idempotency_key_sent_to_two_replicas_at_once_sends_once(client_factory):
    """Cast's X-Idempotency-Key: the first request claims the key in the database; the one on the
    other replica waits for its answer and replays it (X-Idempotent-Replay), charging nothing."""
    a, b = (client_factory(shared_state="on", rate_limit_enabled=False) for _ in range(2))
    account = a.post("/_mock/accounts", json={"provider": "cast", "credits": 1000}).json()
    headers = {"X-API-Key": account["credentials"]["api_key"]}
    body = {"to": "09171234567", "message": "once", "sender_id": "CAST"}

    def send_with(i: int):
        return (a, b)[i % 2].post("/cast/api/v1/sms/send", json=body,
                                  headers={**headers, "X-Idempotency-Key": f"k{i // 8}"})
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send_with, range(32)))
    assert {r.status_code for r in answers} == {200}
    for k in range(4):
        group = answers[k * 8:(k + 1) * 8]
        assert len({r.json()["message_id"] for r in group}) == 1
        assert sum(r.headers.get("X-Idempotent-Replay") != "true" for r in group) == 1
    assert b.get(f"/_mock/accounts/{account['id']}").json()["credits"] == 1000 - 4


def test_a_runtime_nobody_closed_stops_relaying_once_collected(settings_factory):
    """The relay thread holds its runtime weakly: a test (or embedding) that drops a Runtime without
    close() must not leave a thread polling a database that is about to be deleted."""
    import gc
    import threading

    before = {t for t in threading.enumerate() if t.name == "feed-relay"}
    runtime = Runtime(settings_factory(shared_state="on"))
    relays = {t for t in threading.enumerate() if t.name == "feed-relay"} - before
    assert len(relays) == 1
    thread = relays.pop()
    runtime.db.close()  # what a test's teardown does to the store; the Runtime itself is just dropped
    del runtime
    gc.collect()
    thread.join(timeout=5)
    assert not thread.is_alive()
