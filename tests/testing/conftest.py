"""The kit's own tests run on one in-process sandbox with explicit settings (never $MOCKSERVER_URL):
instant timing, scheduler on, a fixed seed. Tests are isolated by account, as the kit promises."""

from __future__ import annotations

from typing import Iterator

import pytest

from mockserver.testing import InProcessServer, Sandbox


@pytest.fixture(scope="session")
def sms_sandbox() -> Iterator[Sandbox]:
    """Overrides the plugin's: the same in-process server, but settings spelled out here."""
    server = InProcessServer(timing="instant", scheduler_enabled=True, seed=20261130, rate_limit_enabled=True,
                             webhook_backoff_base=0.05, webhook_max_attempts=3, load_fixtures=True)
    with server as url, Sandbox(url) as sandbox:
        yield sandbox
