"""Fixtures of the hardening tests, with explicit settings (not the shared `client`): a started app on
its own database, and a real uvicorn server for the tests that need a socket."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Sandboxes
from tests.hardening.kit import LiveServer, hardening_settings


@pytest.fixture
def app_factory(tmp_path: Path, db_backend: str, sandboxes: Sandboxes) -> Callable[..., TestClient]:
    """A started app on the hardening settings plus overrides (tests/conftest.py's one builder)."""
    return lambda **overrides: sandboxes.start(hardening_settings(tmp_path, **overrides))


@pytest.fixture
def sandbox(app_factory) -> TestClient:
    return app_factory()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live"), {"MOCKSERVER_RATE_LIMIT_ENABLED": "false"})
    yield server
    server.close()
