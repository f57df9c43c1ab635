"""core/store: the rows several processes share (idempotency claims, the clock row, rate buckets), on both
backends (each test runs as [sqlite] and [postgresql])."""

from __future__ import annotations

from typing import Iterator

import pytest

from mockserver.core.db.connect import open_database
from mockserver.core.models import Idempotency
from mockserver.core.store import idempotency, ratebuckets, state
from tests.conftest import make_settings


@pytest.fixture
def db(tmp_path, db_backend) -> Iterator:
    database = open_database(make_settings(tmp_path))
    yield database
    database.close()


def test_a_key_is_claimed_once_until_its_window_passes(db):
    with db.write() as conn:
        assert idempotency.claim(conn, "cast", "owner", "k", now=10.0, not_before=0.0) is True
        assert idempotency.claim(conn, "cast", "owner", "k", now=11.0, not_before=5.0) is False  # in flight
        assert idempotency.claim(conn, "cast", "other", "k", now=11.0, not_before=5.0) is True  # another owner
        assert idempotency.claim(conn, "cast", "owner", "k", now=20.0, not_before=15.0) is True  # stale: taken
        found = idempotency.find(conn, "cast", "owner", "k", 0.0)
    assert (found.status_code, found.body, found.created_at) == (idempotency.IN_FLIGHT, "", 20.0)


def test_a_claim_is_taken_over_only_as_it_was_and_released_only_unanswered(db):
    with db.write() as conn:
        idempotency.claim(conn, "cast", "o", "k", now=1.0, not_before=0.0)
        assert idempotency.take_over(conn, "cast", "o", "k", claimed_at=0.5, now=2.0) is False
        assert idempotency.take_over(conn, "cast", "o", "k", claimed_at=1.0, now=2.0) is True
        idempotency.save(conn, Idempotency(provider="cast", key_owner="o", idem_key="k", status_code=201,
                                           body='{"id": 1}', headers='{"x": "1"}', created_at=3.0))
        idempotency.release(conn, "cast", "o", "k")  # answered: kept
        assert idempotency.take_over(conn, "cast", "o", "k", claimed_at=3.0, now=4.0) is False
    stored = idempotency.find(db.conn(), "cast", "o", "k", not_before=3.0)
    assert (stored.status_code, stored.body, stored.headers) == (201, '{"id": 1}', '{"x": "1"}')
    assert idempotency.find(db.conn(), "cast", "o", "k", not_before=3.5) is None  # outside the window
    with db.write() as conn:
        idempotency.claim(conn, "cast", "o", "fails", now=5.0, not_before=0.0)
        idempotency.release(conn, "cast", "o", "fails")
    assert idempotency.find(db.conn(), "cast", "o", "fails", 0.0) is None


def test_the_clock_row_keeps_offset_frozen_time_boots_and_version(db):
    with db.write() as conn:
        first = state.count_boot(conn)
        assert state.count_boot(conn) == first + 1
        state.save_clock(conn, 12.5, None)
        assert state.load_clock(conn) == (12.5, None)
        version = state.clock_version(conn)
        state.lock_clock(conn)
        assert state.clock_version(conn) == version
        assert state.save_versioned_clock(conn, -3.0, 1000.25) == version + 1
    assert state.load_versioned_clock(db.conn()) == (-3.0, 1000.25, version + 1)
    assert isinstance(state.clock_version(db.conn()), int)


def test_a_bucket_refills_at_a_fractional_rate_up_to_its_burst(db):
    def take(now: float) -> bool:
        with db.write() as conn:
            return ratebuckets.take(conn, "cast\x1fk", rate=0.5, burst=2, now=now)

    assert [take(0.0), take(0.0), take(0.0)] == [True, True, False]
    assert take(1.0) is False  # half a token
    assert take(2.0) is True  # one token after 2 s at 0.5/s
    assert take(1.0) is False  # a clock moved back refills nothing
    assert [take(100.0), take(100.0), take(100.0)] == [True, True, False]  # capped at the burst


def test_clearing_a_scope_forgets_only_its_buckets(db):
    with db.write() as conn:
        for key in ("cast\x1fa", "cast\x1fb", "cast#2\x1fa", "mesms\x1fa"):
            ratebuckets.take(conn, key, rate=0.0, burst=1, now=0.0)
        ratebuckets.clear(conn, "cast")
        refreshed = {key: ratebuckets.take(conn, key, rate=0.0, burst=1, now=0.0)
                     for key in ("cast\x1fa", "cast\x1fb", "cast#2\x1fa", "mesms\x1fa")}
    assert refreshed == {"cast\x1fa": True, "cast\x1fb": True, "cast#2\x1fa": False, "mesms\x1fa": False}
