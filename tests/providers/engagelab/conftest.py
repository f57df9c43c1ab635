"""EngageLab tests run on a frozen sandbox clock: time moves only through advance(), so boundaries such as
schedule_time and the verification-code window are exact."""

from __future__ import annotations

import pytest


@pytest.fixture
def client(client_factory):
    return client_factory(clock_frozen=True)
