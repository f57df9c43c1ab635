"""What tells a user the engine keeps up: /metrics (Prometheus text), scheduler_lag_s in
/_mock/health, one message.updated event per message per tick; and a database made by an older
version opens with the new outbox columns."""

from __future__ import annotations

import re
import sqlite3

from mockserver.core.db.sqlite import Database
from tests.conftest import advance
from tests.core.delivery.conftest import wait_for
from tests.core.kit import install, runtime_of, send


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, flags=re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


def test_metrics_count_sends_transitions_and_attempts_by_outcome(engine, receiver, failing):
    client = engine(clock_frozen=True)
    install(client, "ok", dlr_url=receiver.url())
    install(client, "bad", dlr_url=failing.url())
    send(client, ["+639170000001", "+639170000002"], account_id="ok")
    send(client, "+639170000003", account_id="bad")
    advance(client, 10)
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = resp.text
    assert metric(text, 'mockserver_sends_total{provider="testprov"}') == 2
    assert metric(text, "mockserver_transitions_total") == 6  # queued->sent->delivered, 3 recipients
    assert metric(text, 'mockserver_webhook_attempts_total{outcome="delivered"}') == 4
    # base 1 s: the 500'd 'sent' (due at 1 s) is tried at 1, 2, 4 and 8 s inside the 10 s advance
    assert metric(text, 'mockserver_webhook_attempts_total{outcome="retry"}') == 4
    assert metric(text, "mockserver_webhook_queue_depth") == 2  # the 500'd 'sent' and the 'delivered' behind it
    assert metric(text, "mockserver_webhooks_in_flight") == 0
    assert "mockserver_scheduler_lag_seconds" in text


def test_health_reports_the_background_scheduler_lag(engine, receiver):
    client = engine(scheduler_enabled=True, scheduler_interval=0.05, timing="instant")
    install(client, dlr_url=receiver.url())
    msg = send(client, ["+639170000001", "+639170000002"])
    wait_for(lambda: client.get(f"/_mock/messages/{msg.id}").json()["status"] == "completed")
    health = client.get("/_mock/health").json()
    assert 0 <= health["scheduler_lag_s"] < 1.0
    assert metric(client.get("/metrics").text, "mockserver_scheduler_lag_seconds") >= 0
    wait_for(lambda: len(receiver.bodies()) == 4)


def test_one_message_updated_event_per_message_per_tick(engine):
    client = engine(clock_frozen=True)
    rt = runtime_of(client)
    install(client)
    msg = send(client, [f"+6391700000{i:02d}" for i in range(20)])
    start = rt.feed.last_id
    advance(client, 1)  # 20 recipients queued -> sent: one event
    advance(client, 0)  # nothing due: none
    advance(client, 5)  # 20 recipients sent -> delivered: one event
    updates = [e.data for e in rt.feed.since(start) if e.kind == "message.updated"]
    base = {"id": msg.id, "provider": "testprov", "account_id": "acc-1"}
    assert updates == [{**base, "status": "queued"}, {**base, "status": "completed"}]  # sent, then final


def test_a_database_from_before_the_delivery_columns_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE webhook (id INTEGER PRIMARY KEY, provider VARCHAR NOT NULL, account_id VARCHAR NOT NULL,
          message_id INTEGER, kind VARCHAR NOT NULL, ordering_key VARCHAR NOT NULL, url VARCHAR NOT NULL,
          headers VARCHAR NOT NULL, body VARCHAR NOT NULL, status VARCHAR NOT NULL, attempts INTEGER NOT NULL,
          max_attempts INTEGER NOT NULL, next_attempt_at FLOAT, last_status_code INTEGER, last_error VARCHAR,
          created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL);
        CREATE TABLE webhookattempt (id INTEGER PRIMARY KEY, webhook_id INTEGER NOT NULL, attempt INTEGER NOT NULL,
          at FLOAT NOT NULL, url VARCHAR NOT NULL, request_headers VARCHAR NOT NULL, request_body VARCHAR NOT NULL,
          response_status INTEGER, response_excerpt VARCHAR NOT NULL, latency_ms FLOAT NOT NULL, error VARCHAR);
        INSERT INTO webhook VALUES (1, 'p', 'a', NULL, 'dlr', '', 'http://Recv.example:8080/x', '{}', '{}',
          'pending', 0, 5, 0, NULL, NULL, 0, 0);
    """)
    old.close()
    seen = []
    for _ in range(2):  # idempotent: a second start changes nothing and does not fail
        db = Database(path)
        row = db.conn().execute("SELECT delivery_id, host, lease_until, signing FROM webhook").fetchone()
        cols = {r[1] for r in db.conn().execute("PRAGMA table_info(webhookattempt)")}
        db.close()
        assert len(row["delivery_id"]) == 32 and row["host"] == "http://recv.example:8080"
        assert row["lease_until"] is None and row["signing"] == ""
        assert {"sent_at", "delivery_id"} <= cols
        seen.append(row["delivery_id"])
    assert seen[0] == seen[1]
