"""Fixtures of the end-to-end tests: an in-process app with explicit settings (real clock, no loop)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.conftest import database_url


@pytest.fixture
def e2e_client(tmp_path: Path, db_backend: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url(tmp_path, "e2e.db"), seed=99, scheduler_enabled=False,
                        clock_frozen=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client
