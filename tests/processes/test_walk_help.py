"""An advance in an API process of `serve`, with the engine process helping it deliver (core/engine/pause.py):
the engine's dispatcher claims the walk's webhooks at each step's time, the walker waits for them before the
next step and counts them in its report. Two apps in one test process share the process table and the
store, as the children of `serve --workers 2` do (the real processes: tests/e2e/test_cli_workers.py)."""

from __future__ import annotations

import multiprocessing

from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.processes import ROLES, ProcessSlot, ProcessTable
from tests.conftest import make_settings
from tests.vendors import VENDORS


def shared_table() -> ProcessTable:
    table = ProcessTable.create(multiprocessing.get_context("spawn"), 2)
    for slot, role in enumerate(("api", "engine")):
        table.set(slot, "role", float(ROLES.index(role)))
        table.set(slot, "alive", 1.0)
    return table


def api_and_engine(tmp_path, **settings):
    """The two apps of `serve --workers 2` over one store and one process table (not started)."""
    table = shared_table()
    common = dict(shared_state="on", clock_frozen=True, rate_limit_enabled=False, **settings)
    api = create_app(make_settings(tmp_path, process_role="api", **common), process=ProcessSlot(table, 0))
    engine = create_app(make_settings(tmp_path, process_role="engine", scheduler_enabled=True,
                                      scheduler_interval=0.05, **common), process=ProcessSlot(table, 1))
    return api, engine


def walk(client: TestClient, sends: int, dlr_url: str) -> dict:
    """`sends` SMSCPR messages with their DLRs to `dlr_url`, then an hour's advance: its report."""
    smscpr = VENDORS["smscpr"]
    for _ in range(sends):
        sent = client.post(smscpr.url, headers=smscpr.headers, json={**smscpr.body(text="walk"), "callbackUrl": dlr_url})
        assert sent.status_code == 200, sent.text
    return client.post("/_mock/clock/advance", json={"seconds": 3600}).json()


def test_the_engine_delivers_an_advances_webhooks_at_each_steps_time_and_the_report_counts_them(
        tmp_path, db_backend, receiver):
    # Three tick batches per step (tick_batch.BATCH_MESSAGES = 128 messages each): the engine finds
    # the first batches' webhooks committed while the walker still ticks. (One batch is the walker's alone: it
    # claims the whole batch the moment its tick ends.)
    sends = 300
    api, engine = api_and_engine(tmp_path)
    with TestClient(engine), TestClient(api) as client:
        body = walk(client, sends, receiver.url("/dlr"))
        assert (body["transitions"], body["webhook_attempts"], body["still_pending"]) == (2 * sends, 2 * sends, 0), body
        assert len(receiver.bodies("/dlr")) == 2 * sends
        helped = engine.state.runtime.dispatcher.attempts
        assert helped > 0 and api.state.runtime.dispatcher.attempts + helped == 2 * sends
        hooks: dict = {"items": []}
        params = {"provider": "smscpr", "attempts": "true", "limit": 500}
        while True:
            page = client.get("/_mock/webhooks", params=params).json()
            hooks["items"] += page["items"]
            if not page.get("next_cursor"):
                break
            params["cursor"] = page["next_cursor"]
        assert len(hooks["items"]) == 2 * sends
        # Each attempt went out and was recorded at the step its webhook was queued in (the engine's too).
        steps = {(h["created_at"], h["attempt_log"][0]["sent_at"], h["attempt_log"][0]["at"]) for h in hooks["items"]}
        assert all(len(set(times)) == 1 for times in steps), steps
        assert len({h["created_at"] for h in hooks["items"]}) > 1  # more than one step was walked


def test_lanes_of_one_stay_the_walkers_alone(tmp_path, db_backend, receiver):
    """MOCKSERVER_WEBHOOK_PER_HOST_CONCURRENCY=1 promises one request at a time to a host: a helper with lanes
    of its own would break it, so the engine stays out of the walk."""
    api, engine = api_and_engine(tmp_path, webhook_per_host_concurrency=1)
    with TestClient(engine), TestClient(api) as client:
        body = walk(client, 10, receiver.url("/dlr"))
        assert (body["transitions"], body["webhook_attempts"], body["still_pending"]) == (20, 20, 0), body
        assert (api.state.runtime.dispatcher.attempts, engine.state.runtime.dispatcher.attempts) == (20, 0)
