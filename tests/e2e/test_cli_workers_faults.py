"""Fault rules under `mockserver serve --workers 2`: a rule added through the API process shapes the DLRs the
engine process sends on its own background ticks (no clock advance), `times` counts once for both, and the
rule outlives a restart on the same database until a reset (SQLite file and a PostgreSQL schema)."""

from __future__ import annotations

import time
from collections import Counter

import httpx

from tests.e2e.test_cli_workers import start, stop
from tests.replicas.cluster import wait_until
from tests.vendors import VENDORS

#: The clock runs and every step is due at once: only the engine's own ticks move the messages.
RUNNING = {"MOCKSERVER_CLOCK_FROZEN": "false", "MOCKSERVER_TIMING": "instant"}


def send(base: str, receiver, text: str) -> str:
    smscpr = VENDORS["smscpr"]
    sent = httpx.post(base + smscpr.url, headers=smscpr.headers, timeout=30,
                      json={**smscpr.body(text=text), "callbackUrl": receiver.url("/dlr")})
    assert sent.status_code == 200, sent.text
    return sent.json()["msgId"]


def rules(base: str) -> list[tuple[str, int, int, bool]]:
    items = httpx.get(f"{base}/_mock/faults", timeout=10).json()["items"]
    return [(r["id"], r["hits"], r["seen"], r["exhausted"]) for r in items]


def test_a_webhook_rule_added_through_the_api_shapes_the_engines_dlrs_and_outlives_a_restart(
        tmp_path, db_backend, receiver):
    proc, base = start(tmp_path, **RUNNING)
    try:
        added = httpx.post(f"{base}/_mock/faults", json={"provider": "smscpr", "dlr_duplicate": True, "times": 1},
                           timeout=10)
        assert added.status_code == 201, added.text
        rule = added.json()["id"]
        first, second = send(base, receiver, "twice"), send(base, receiver, "once")
        assert wait_until(lambda: (second, "DELIVERED") in {(d["msgId"], d["status"]) for d in receiver.bodies("/dlr")}
                          and len(receiver.bodies("/dlr")) >= 6, 30, 0.1), receiver.bodies()
        time.sleep(0.5)  # a receipt too many (a duplicate of the second send) would arrive by now
        got = Counter((d["msgId"], d["status"]) for d in receiver.bodies("/dlr"))
        assert got == {(first, "DISPATCHED"): 2, (first, "DELIVERED"): 2, (second, "DISPATCHED"): 1,
                       (second, "DELIVERED"): 1}
        assert rules(base) == [(rule, 1, 1, True)]
    finally:
        assert stop(proc) == 0
    proc, base = start(tmp_path, **RUNNING)  # a restart on the same database
    try:
        assert rules(base) == [(rule, 1, 1, True)]
        assert httpx.post(f"{base}/_mock/reset", timeout=30).status_code == 200
        assert rules(base) == []
    finally:
        assert stop(proc) == 0
