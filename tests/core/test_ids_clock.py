"""The one random source is deterministic under a seed; the clock freezes, advances and sets."""

from __future__ import annotations

import re
import time

import pytest

from mockserver.core.clock import Clock, iso_ms, parse_iso
from mockserver.core.ids import Ids
from mockserver.core.ratelimit import RateLimiter


def _draw(ids: Ids) -> tuple:
    return ids.hex(16), ids.digits(6), ids.faker.name(), ids.uuid7()[14:]


def test_same_seed_same_ids_and_faker_data():
    clock = Clock(frozen=True)
    assert _draw(Ids(42, clock.now)) == _draw(Ids(42, clock.now))
    assert _draw(Ids(42, clock.now)) != _draw(Ids(43, clock.now))


def test_reset_replays_the_sequence():
    ids = Ids(7, Clock(frozen=True).now)
    first = _draw(ids)
    ids.reset()
    assert _draw(ids) == first


def test_uuid7_carries_the_clock_millisecond_and_version():
    clock = Clock(frozen=True)
    clock.set(1_750_000_000.123)
    value = Ids(1, clock.now).uuid7()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)
    assert int(value.replace("-", "")[:12], 16) == 1_750_000_000_123


def test_snowflakes_increase_with_time():
    clock = Clock(frozen=True)
    ids = Ids(1, clock.now)
    a = ids.snowflake()
    clock.advance(0.01)
    assert ids.snowflake() > a and len(str(a)) >= 18


def test_frozen_clock_moves_only_when_told():
    clock = Clock(frozen=True)
    t0 = clock.now()
    time.sleep(0.01)
    assert clock.now() == t0
    assert clock.advance(30) == t0 + 30
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_running_clock_keeps_its_offset_across_freeze_and_resume():
    clock = Clock()
    clock.advance(3600)
    assert clock.now() - time.time() == pytest.approx(3600, abs=1)
    frozen = clock.freeze()
    clock.resume()
    assert clock.now() == pytest.approx(frozen, abs=1)


def test_iso_round_trip_with_milliseconds():
    assert iso_ms(parse_iso("2026-06-22T05:10:03.120Z")) == "2026-06-22T05:10:03.120Z"
    assert parse_iso("2026-06-01T10:00:00+07:00") == parse_iso("2026-06-01T03:00:00Z")


def test_rate_limiter_burst_then_refill_on_the_clock():
    clock = Clock(frozen=True)
    limiter = RateLimiter(rate=30, burst=50, now=clock.now)
    assert all(limiter.allow("ip") for _ in range(50))
    assert not limiter.allow("ip")
    assert limiter.allow("other-ip")
    clock.advance(0.11)  # 3.3 tokens back
    assert [limiter.allow("ip") for _ in range(4)] == [True, True, True, False]
    assert RateLimiter(1, 1, clock.now, enabled=False).allow("x") and RateLimiter(1, 1, clock.now, enabled=False).allow("x")


def test_a_restart_on_the_same_database_never_reissues_ids(tmp_path):
    from mockserver.core.runtime import Runtime
    from tests.conftest import make_settings

    first = Runtime(make_settings(tmp_path))
    issued = {first.ids.hex(16) for _ in range(5)}
    first.db.close()
    second = Runtime(make_settings(tmp_path))
    assert issued.isdisjoint(second.ids.hex(16) for _ in range(5))
    second.db.close()
    fresh = Runtime(make_settings(tmp_path / "other"))  # a fresh database replays the seed exactly
    replay = Runtime(make_settings(tmp_path / "again"))
    assert [fresh.ids.hex(16) for _ in range(3)] == [replay.ids.hex(16) for _ in range(3)]
    fresh.db.close(); replay.db.close()
