"""Honest pushback: while the scheduler runs transitions late (beyond MOCKSERVER_BACKPRESSURE_LAG), every
provider's send endpoint answers with that vendor's own 429 and Retry-After, takes nothing, and serves
everything else; once a tick runs on time, sends are accepted again."""

from __future__ import annotations

import math
import re
import time

from tests.providers.cast import kit as cast
from tests.providers.mesms import kit as mesms
from tests.vendors import VENDORS


def sends(client) -> dict:
    """One valid send per provider, through HTTP as a client makes it."""
    return {name: vendor.send(client) for name, vendor in VENDORS.items()}


def wait_for_clock(rt, until: float, timeout: float = 30.0) -> None:
    """Wait (real time, generous timeout) until the sandbox clock reads `until`."""
    deadline = time.monotonic() + timeout
    while rt.clock.now() < until:
        assert time.monotonic() < deadline, f"the sandbox clock never reached {until}"
        time.sleep(0.02)


def lag_behind(client, seconds: float) -> dict:
    """Keep the scheduler from ticking until a due transition is `seconds` late on the sandbox clock, then
    tick as the background loop does (measuring lag): the scheduler really ran it that late. Waiting for
    the clock itself (not sleeping a fixed time) keeps this exact on a busy machine."""
    rt = client.app.state.runtime
    assert mesms.send(client).status_code == 200  # queued -> sent due queue_delay (0.1 s) later
    due = rt.clock.now() + 0.1  # no later than the transition's due time
    rt.scheduler.tick(measure_lag=True)  # nothing due yet; the clock's state is now known
    wait_for_clock(rt, due + seconds)  # the scheduler is paused (a real background loop would be busy elsewhere)
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
        body = VENDORS[name].rate_limited.check(resp)  # the vendor's own 429 envelope and code
        assert resp.headers["Retry-After"] == wait, name
        assert body.get("accepted_count", 0) == 0, name
    assert refused["cast"].json() == cast.err("rate limit exceeded", "RATE_LIMIT_EXCEEDED")
    assert refused["smscpr"].json()["errorMessage"] == f"rate limit exceeded; retry after {wait} s"
    assert f"retry after {wait} s" in refused["engagelab"].json()["message"]
    # Nothing was taken or stored, and reads still answer.
    assert mesms.credits(client) == before - spent
    for name in VENDORS:
        stored = client.get("/_mock/messages", params={"provider": name}).json()["items"]
        assert len(stored) == (1 if name == "mesms" else 0), (name, stored)
    assert client.get(f"{cast.V1}/account/balance", headers=cast.h()).status_code == 200
    assert metric(client, "mockserver_backpressure_refusals_total") == len(VENDORS)
    assert client.get("/_mock/health").json()["backpressure"]["refused"] == len(VENDORS)

    # A tick that runs on time (nothing late) ends the pushback.
    client.app.state.runtime.scheduler.tick(measure_lag=True)
    assert client.get("/_mock/health").json()["backpressure"]["active"] is False
    assert metric(client, "mockserver_backpressure_active") == 0
    accepted = sends(client)
    assert {name: r.status_code for name, r in accepted.items()} == dict.fromkeys(VENDORS, 200), \
        {n: r.text for n, r in accepted.items()}


def test_a_lag_under_the_threshold_or_a_threshold_of_zero_refuses_nothing(client_factory):
    under = client_factory(backpressure_lag=10.0, clock_frozen=False, queue_delay=0.1)
    assert lag_behind(under, 0.6)["backpressure"]["active"] is False
    assert all(r.status_code == 200 for r in sends(under).values())
    off = client_factory(backpressure_lag=0, clock_frozen=False, queue_delay=0.1)
    assert lag_behind(off, 0.6)["backpressure"]["active"] is False
    assert all(r.status_code == 200 for r in sends(off).values())
