"""Fixtures of the fault tests: each test runs once per vendor (`vendor`), and a live server (`live`) for
the effects only a real connection shows (hangs, dropped connections, truncated bodies)."""

from __future__ import annotations

from typing import Iterator

import pytest

from mockserver.testing import InProcessServer
from tests.faults.kit import VENDORS, Vendor


@pytest.fixture(params=list(VENDORS))
def vendor(request) -> Vendor:
    return VENDORS[request.param]


@pytest.fixture(params=[name for name, v in VENDORS.items() if v.webhooks])
def hooked(request) -> Vendor:
    """The vendors that send receipts (me-sms documents none)."""
    return VENDORS[request.param]


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    """A real uvicorn sandbox on 127.0.0.1 (fixtures loaded, seeded); rules are cleared per test."""
    with InProcessServer(seed=4242, load_fixtures=True, rate_limit_enabled=False) as url:
        yield url
