"""GET /_mock/stream over a real uvicorn server: events after sends through the providers' own APIs,
filters, Last-Event-ID resume, resync, heartbeat, scheduler-made changes, and a clean shutdown."""

from __future__ import annotations

import time

import httpx

import pytest
from sqlalchemy import text

from mockserver.control import stream

from mockserver.core.db.sql import run_once
from mockserver.core.feed.hub import Feed
from tests.ui.kit import send_cast, send_mesms, send_smscpr
from tests.ui.sse import SseReader


@pytest.fixture
def reader(live):
    opened: list[SseReader] = []

    def open_(**kwargs) -> SseReader:
        opened.append(SseReader(live.url + "/_mock/stream", **kwargs))
        return opened[-1]

    yield open_
    for r in opened:
        r.close()


def test_events_follow_sends_forced_statuses_inbound_clock_and_reset(live, reader, receiver):
    events = reader()
    assert events.status == 200 and events.headers["content-type"].startswith("text/event-stream")
    c = live.client()
    send_cast(c)
    created = events.next("message.created")
    assert created.data == {"id": 1, "public_id": created.data["public_id"], "provider": "cast",
                            "account_id": "cast-demo", "recipient_count": 1, "status": "queued"}
    send_mesms(c)
    assert events.next("message.created").data["recipient_count"] == 2
    assert c.post("/_mock/messages/1/status", json={"status": "delivered"}).status_code == 200
    updated = events.next("message.updated")
    assert (updated.data["id"], updated.data["provider"], updated.data["forced"]) == (1, "cast", "delivered")
    resp = c.post("/_mock/inbound", json={"provider": "cast", "account_id": "cast-demo", "from": "09171234567",
                                          "to": "MYAPP", "body": "STOP"})
    assert resp.status_code == 201
    inbound = events.next("inbound")
    assert inbound.data == {"id": resp.json()["id"], "provider": "cast", "account_id": "cast-demo",
                            "sender": "09171234567", "recipient": "MYAPP"}
    now = c.post("/_mock/clock/advance", json={"seconds": 60}).json()
    clock = events.next("clock")
    assert clock.data["now"] == now["now"] and clock.data["frozen"] is True
    c.post("/_mock/reset", json={"provider": "mesms"})
    assert events.next("reset").data == {"provider": "mesms", "account_id": None}
    ids = [e.id for e in [created, updated, inbound, clock]]
    assert ids == sorted(ids)


def test_scheduler_changes_and_webhook_attempts_reach_the_stream(live, reader, receiver):
    """Status changes made by a tick (not by a route) are published by the stream's watcher."""
    events = reader()
    c = live.client()
    send_smscpr(c, callback=receiver.url("/dlr"))
    events.next("message.created")
    c.post("/_mock/clock/advance", json={"seconds": 30})
    updated = events.next("message.updated", timeout=30)  # generous: the event, not its speed, is the point
    assert updated.data["id"] == 1 and updated.data["provider"] == "smscpr"
    attempt = events.next("webhook.attempt", timeout=30)
    assert attempt.data["message_id"] == 1 and attempt.data["status_code"] == 200
    assert attempt.data["outcome"] == "delivered" and receiver.bodies("/dlr")


def test_provider_and_account_filters(live, reader):
    only_cast = reader(params={"provider": "cast"})
    only_mesms_demo = reader(params={"account_id": "mesms-demo"})
    c = live.client()
    send_mesms(c)
    send_cast(c)
    c.post("/_mock/reset")  # a global event matches every filter
    assert [(e.event, e.data.get("provider")) for e in only_cast.drain(0.6)] == [
        ("message.created", "cast"), ("reset", None)]
    assert [(e.event, e.data.get("account_id")) for e in only_mesms_demo.drain(0.1)] == [
        ("message.created", "mesms-demo"), ("reset", None)]


def test_last_event_id_resumes_after_the_given_id(live, reader):
    c = live.client()
    for _ in range(3):
        send_cast(c)
    resumed = reader(headers={"Last-Event-ID": "1"})
    assert [e.id for e in resumed.drain(0.4)] == [2, 3]
    by_query = reader(params={"last_event_id": 2})
    assert [(e.id, e.data["id"]) for e in by_query.drain(0.4)] == [(3, 3)]
    fresh = reader()
    send_cast(c)
    assert [e.id for e in fresh.drain(0.4)] == [4]  # without an id: only what happens from now on


def test_an_id_out_of_the_window_gets_resync(live, reader):
    live.runtime.feed = Feed(capacity=2)
    c = live.client()
    for _ in range(4):
        send_cast(c)
    late = reader(headers={"Last-Event-ID": "1"})
    first = late.next()
    assert first.event == "resync" and first.data == {"last_id": 4} and first.id == 4
    send_cast(c)
    assert late.next("message.created").data["id"] == 5


def test_heartbeat_comment_on_an_idle_stream(live, reader, monkeypatch):
    monkeypatch.setattr(stream, "HEARTBEAT", 0.3)
    idle = reader()
    deadline = time.monotonic() + 30  # generous: the comment itself is the event
    while "heartbeat" not in idle.comments:
        assert time.monotonic() < deadline, "no heartbeat comment on the idle stream"
        time.sleep(0.05)


def test_server_stops_promptly_with_streams_open(live_factory):
    server = live_factory()
    readers = [SseReader(server.url + "/_mock/stream") for _ in range(3)]
    server.stop(timeout=30)  # generous: open streams must not hold the exit (they hung it before)
    assert not server.thread.is_alive()
    for r in readers:
        r.close()


def test_mockserver_serve_exits_on_sigint_with_a_stream_open(tmp_path):
    """The real CLI: Ctrl-C with an inbox open must not hang on the open event stream."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "MOCKSERVER_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/_mock/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        open_stream = SseReader(url + "/_mock/stream")
        assert open_stream.status == 200
        proc.send_signal(signal.SIGINT)
        # uvicorn >= 0.29 re-raises the captured SIGINT after its graceful shutdown: -SIGINT is a clean exit.
        # The open stream does not hold the shutdown (without the fix it hung until killed): a generous wait.
        assert proc.wait(timeout=30) in (0, -signal.SIGINT)
        open_stream.close()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_background_scheduler_steps_reach_the_stream(live_factory):
    """With the real background loop (clock running), each step is announced on the stream, up to completed."""
    server = live_factory(scheduler_enabled=True, clock_frozen=False, queue_delay=0.3, delivery_delay=0.3,
                          scheduler_interval=0.05)
    events = SseReader(server.url + "/_mock/stream")
    try:
        c = server.client()
        send_cast(c)
        assert events.next("message.created").data["status"] == "queued"
        # Every step the background loop makes is announced, up to completed (how fast is bench material).
        seen = []
        while not seen or seen[-1] != "completed":
            seen.append(events.next("message.updated", timeout=30).data["status"])
        assert c.get("/_mock/messages/1").json()["counts"] == {"delivered": 1}
    finally:
        events.close()


def test_engine_events_reach_the_stream_once_and_changes_from_elsewhere_via_the_watcher(live, reader, receiver):
    """The feed is the one source: what the scheduler and the dispatcher published is not repeated by
    the watcher; a change this process did not publish (another replica's) still arrives, marked."""
    events = reader()
    c = live.client()
    send_smscpr(c, callback=receiver.url("/dlr"))
    events.next("message.created")
    c.post("/_mock/clock/advance", json={"seconds": 30})
    seen = events.drain(2.5)  # more than two watcher probes
    attempts = [(e.data["webhook_id"], e.data["attempt"]) for e in seen if e.event == "webhook.attempt"]
    assert attempts and len(attempts) == len(set(attempts)), attempts
    assert [e for e in seen if e.data.get("source") == "watch"] == []
    # The advance walks its window: one update per due time it stepped through (sent, then delivered).
    assert [e.data["id"] for e in seen if e.event == "message.updated"] == [1, 1]
    # Another process's change: written to the store, published by nobody here.
    with live.runtime.db.write() as conn:
        run_once(conn, text("INSERT INTO event (message_id, recipient_id, status, at, detail) "
                            "SELECT id, first_recipient_id, 'expired', :at, 'replica' FROM message WHERE id = 1"),
                 {"at": live.runtime.clock.now()})
    foreign = events.next("message.updated", timeout=6)  # held for one probe (about a second) first
    assert foreign.data["id"] == 1 and foreign.data["source"] == "watch"
