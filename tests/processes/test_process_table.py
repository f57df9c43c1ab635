"""The process table of `serve --workers N` inside one app: health lists the rows, an API process adopts
the engine's scheduler lag (send pushback answers in the process that takes the sends), and a process
that stops beating reads as not alive. The real multi-process run is tests/e2e/test_cli_workers.py."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.processes import ROLES, STALE_AFTER, ProcessSlot, ProcessTable
from tests.conftest import make_settings
from tests.providers.smscpr.kit import send


def table(*roles: str) -> ProcessTable:
    found = ProcessTable.create(multiprocessing.get_context("spawn"), len(roles))
    for slot, role in enumerate(roles):
        found.set(slot, "role", float(ROLES.index(role)))
        found.set(slot, "pid", float(1000 + slot))
        found.set(slot, "alive", 1.0)
    return found


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.02)
    return value


def test_one_process_lists_itself(client):
    rows = client.get("/_mock/health").json()["processes"]
    assert [(r["pid"], r["role"], r["alive"], r["restarts"]) for r in rows] == [(os.getpid(), "all", True, 0)]


def test_an_api_process_refuses_sends_while_the_engine_lags_and_health_shows_each_process(tmp_path, db_backend):
    shared = table("api", "engine")
    shared.set(1, "heartbeat", time.time())
    shared.set(1, "restarts", 2.0)
    # Vendor rate limits off: the only 429 here is pushback's.
    settings = make_settings(tmp_path, process_role="api", shared_state="on", clock_frozen=True,
                             rate_limit_enabled=False)
    with TestClient(create_app(settings, process=ProcessSlot(shared, 0)), raise_server_exceptions=False) as client:
        assert send(client).status_code == 200
        shared.set(1, "lag", 5.0)  # the engine runs transitions 5 s late (MOCKSERVER_BACKPRESSURE_LAG: 1)
        wait_for(lambda: client.get("/_mock/health").json()["backpressure"]["active"])
        refused = send(client)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
        shared.set(1, "heartbeat", time.time())  # as the engine's own loop would (a slow start may pass 3 s)
        health = client.get("/_mock/health").json()
        assert health["scheduler_lag_s"] == 5.0 and health["backpressure"]["active"] is True
        rows = [(r["pid"], r["role"], r["alive"], r["restarts"]) for r in health["processes"]]
        assert rows == [(1000, "api", True, 0), (1001, "engine", True, 2)]
        shared.set(1, "lag", 0.0)
        wait_for(lambda: not client.get("/_mock/health").json()["backpressure"]["active"])
        assert send(client).status_code == 200


def test_a_process_that_stopped_beating_is_not_alive():
    shared = table("api", "engine")
    now = time.time()
    shared.set(0, "heartbeat", now)
    shared.set(1, "heartbeat", now - STALE_AFTER - 1)
    assert [r["alive"] for r in shared.snapshot(now)] == [True, False]
    shared.set(1, "heartbeat", now)
    shared.set(1, "alive", 0.0)  # the supervisor saw it exit
    assert [r["alive"] for r in shared.snapshot(now)] == [True, False]


def test_an_api_process_reports_the_engines_webhook_gauges_without_reading_the_store(tmp_path, db_backend,
                                                                                     monkeypatch):
    """The engine publishes its outbox figures in the table: an API process's health answers from memory
    (no SQL in a worker thread, which waits for the GIL behind a 2M-number parse)."""
    from mockserver.core.store import webhooks as outbox

    shared = table("api", "engine")
    shared.set(1, "heartbeat", time.time())
    shared.set(1, "webhook_depth", -1.0)  # the engine has not ticked yet: health reads the store
    settings = make_settings(tmp_path, process_role="api", shared_state="on", clock_frozen=True)
    with TestClient(create_app(settings, process=ProcessSlot(shared, 0)), raise_server_exceptions=False) as client:
        health = client.get("/_mock/health").json()
        assert (health["webhook_lag_s"], health["webhook_queue_depth"], health["webhooks_in_flight"]) == (0.0, 0, 0)
        monkeypatch.setattr(outbox, "depth", lambda *_a, **_k: pytest.fail("health ran SQL"))
        shared.set(1, "webhook_lag", 2.5)
        shared.set(1, "webhook_depth", 7.0)
        shared.set(1, "in_flight", 3.0)
        health = client.get("/_mock/health").json()
        assert (health["webhook_lag_s"], health["webhook_queue_depth"], health["webhooks_in_flight"]) == (2.5, 7, 3)


def test_the_engine_publishes_its_webhook_gauges_after_its_first_tick(client_factory):
    from tests.core.delivery.conftest import wait_for as wait_until

    shared = table("api", "engine")
    shared.set(1, "webhook_depth", -1.0)
    engine = ProcessSlot(shared, 1)
    client = client_factory(scheduler_enabled=True, scheduler_interval=0.05)
    runtime = client.app.state.runtime
    assert engine.engine_webhooks() is None  # nothing published yet: an API process reads the store
    wait_until(lambda: runtime.scheduler.gauges.latest() is not None)
    engine.publish_webhooks(runtime)
    gauges, in_flight = engine.engine_webhooks()
    assert (gauges, in_flight) == (runtime.scheduler.gauges.latest(), 0)
