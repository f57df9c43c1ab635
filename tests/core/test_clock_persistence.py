"""Time travel survives a restart on the same database: the clock never jumps back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mockserver.core.runtime import Runtime
from tests.conftest import advance, make_settings


def test_advanced_clock_continues_after_restart(tmp_path: Path):
    first = Runtime(make_settings(tmp_path))
    first.clock.advance(3600)
    first.db.close()
    second = Runtime(make_settings(tmp_path))
    assert second.clock.now() - time.time() == pytest.approx(3600, abs=2)
    second.db.close()


def test_frozen_clock_stays_frozen_at_the_same_instant(tmp_path: Path):
    first = Runtime(make_settings(tmp_path))
    frozen = first.clock.freeze()
    first.clock.advance(10)
    first.db.close()
    second = Runtime(make_settings(tmp_path))
    assert second.clock.frozen and second.clock.now() == frozen + 10
    second.db.close()


def test_full_reset_brings_time_back_to_now_for_good(tmp_path: Path):
    first = Runtime(make_settings(tmp_path))
    first.clock.advance(86400)
    first.reset()
    first.db.close()
    second = Runtime(make_settings(tmp_path))
    assert second.clock.now() == pytest.approx(time.time(), abs=2)
    second.db.close()


def test_through_http_a_restarted_sandbox_keeps_its_time(client_factory):
    before = advance(client_factory(), 7200)["now"]
    after = client_factory().get("/_mock/clock").json()["now"]  # a second app on the same database
    assert after >= before
