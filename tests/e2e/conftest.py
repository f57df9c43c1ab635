"""Fixtures of the end-to-end tests: an in-process app with explicit settings (real clock, no loop)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mockserver.settings import Settings
from tests.conftest import Sandboxes, database_url


@pytest.fixture
def e2e_client(tmp_path: Path, db_backend: str, sandboxes: Sandboxes) -> TestClient:
    settings = Settings(database_url=database_url(tmp_path, "e2e.db"), seed=99, scheduler_enabled=False,
                        clock_frozen=False)
    return sandboxes.start(settings)
