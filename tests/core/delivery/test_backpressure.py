"""Honest pushback: while the scheduler runs transitions late (beyond MOCKSERVER_BACKPRESSURE_LAG), every
provider's send endpoint answers with that vendor's own 429 and Retry-After, takes nothing, and serves
everything else; once a tick runs on time, sends are accepted again."""

from __future__ import annotations

import math
import re
import time

from tests.providers.cast import kit as cast
from tests.providers.engagelab import kit as engagelab
from tests.providers.mesms import kit as mesms
from tests.providers.smscpr import kit as smscpr


def sends(client) -> dict:
    """One valid send per provider, through HTTP as a client makes it."""
    return {
        "cast": cast.send(client, {"to": "09171234567", "message": "hi", "sender_id": "CAST"}),
        "smscpr": smscpr.send(client),
        "mesms": mesms.send(client),
        "engagelab": engagelab.send(client, engagelab.tpl("notification-template", order="1")),
    }


def lag_behind(client, seconds: float) -> dict:
    """Keep the scheduler from ticking while a due transition waits `seconds` of real time, then tick
    as the background loop does (measuring lag): the scheduler really ran it about that late."""
    rt = client.app.state.runtime
    assert mesms.send(client).status_code == 200  # queued -> sent due 0.1 s later
    rt.scheduler.tick(measure_lag=True)  # nothing due yet; the clock's state is now known
    time.sleep(seconds + 0.1)  # the scheduler is paused (a real background loop would be busy elsewhere)
    result = rt.scheduler.tick(measure_lag=True)
    assert result.transitions and result.lag >= seconds
    return client.get("/_mock/health").json()


def test_a_clock_jump_is_no_lag(client_factory):
    """Advancing the clock makes everything due at once, 'late' by the jump: no pushback from that."""
    client = client_factory(backpressure_lag=0.2, clock_frozen=False, queue_delay=0.1)
    rt = client.app.state.runtime
    assert mesms.send(client).status_code == 200
    rt.scheduler.tick(measure_lag=True)
    rt.clock.advance(60)  # as /_mock/clock/advance does, racing the background loop to the next tick
    assert rt.scheduler.tick(measure_lag=True).transitions
    assert client.get("/_mock/health").json()["backpressure"]["active"] is False
    assert mesms.send(client).status_code == 200


def metric(client, name: str) -> float:
    text = client.get("/metrics").text
    return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? ([\d.e+]+)$", text, re.M))


def test_each_vendor_refuses_sends_with_its_own_429_while_the_scheduler_lags(client_factory):
    client = client_factory(backpressure_lag=0.3, clock_frozen=False, queue_delay=0.1)
    before = mesms.credits(client)
    health = lag_behind(client, 0.6)
    assert health["backpressure"]["active"] is True and health["backpressure"]["threshold_s"] == 0.3
    wait = str(math.ceil(health["backpressure"]["lag_s"]))  # the measured lag, rounded up
    assert metric(client, "mockserver_backpressure_active") == 1
    spent = before - mesms.credits(client)

    refused = sends(client)
    for name, resp in refused.items():
        assert resp.status_code == 429, (name, resp.text)
        assert resp.headers["Retry-After"] == wait, name
    assert refused["cast"].json() == cast.err("rate limit exceeded", "RATE_LIMIT_EXCEEDED")
    body = refused["smscpr"].json()
    assert body["errorCode"] == "TOO_MANY_REQUESTS" and body["errorMessage"] == f"rate limit exceeded; retry after {wait} s"
    assert mesms.error(refused["mesms"], 429, "RATE_LIMITED")["error"] == "Rate limit exceeded"
    body = refused["engagelab"].json()
    assert body["code"] == 1000 and body["accepted_count"] == 0 and f"retry after {wait} s" in body["message"]
    # Nothing was taken or stored, and reads still answer.
    assert mesms.credits(client) == before - spent
    for name in ("cast", "smscpr", "mesms", "engagelab"):
        stored = client.get("/_mock/messages", params={"provider": name}).json()["items"]
        assert len(stored) == (1 if name == "mesms" else 0), (name, stored)
    assert client.get(f"{cast.V1}/account/balance", headers=cast.h()).status_code == 200
    assert metric(client, "mockserver_backpressure_refusals_total") == 4
    assert client.get("/_mock/health").json()["backpressure"]["refused"] == 4

    # A tick that runs on time (nothing late) ends the pushback.
    client.app.state.runtime.scheduler.tick(measure_lag=True)
    assert client.get("/_mock/health").json()["backpressure"]["active"] is False
    assert metric(client, "mockserver_backpressure_active") == 0
    accepted = sends(client)
    assert {name: r.status_code for name, r in accepted.items()} == {
        "cast": 200, "smscpr": 200, "mesms": 200, "engagelab": 200}, {n: r.text for n, r in accepted.items()}


def test_a_lag_under_the_threshold_or_a_threshold_of_zero_refuses_nothing(client_factory):
    under = client_factory(backpressure_lag=10.0, clock_frozen=False, queue_delay=0.1)
    assert lag_behind(under, 0.6)["backpressure"]["active"] is False
    assert all(r.status_code == 200 for r in sends(under).values())
    off = client_factory(backpressure_lag=0, clock_frozen=False, queue_delay=0.1)
    assert lag_behind(off, 0.6)["backpressure"]["active"] is False
    assert all(r.status_code == 200 for r in sends(off).values())
