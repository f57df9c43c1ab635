"""A restart over an existing database, fixtures unchanged, must read accounts back: rows become models
through model_construct, which needs the ORM mappers configured (nothing else built a model then)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.sqlite_only("restarts a subprocess on one SQLite file")

SCRIPT = """
from fastapi.testclient import TestClient
from mockserver.app import create_app
from mockserver.settings import Settings
with TestClient(create_app(Settings(database_url="sqlite:///{db}"))) as client:
    resp = client.get("/_mock/accounts/engagelab-demo")
    print(resp.status_code, resp.json()["id"])
"""


def test_a_restarted_server_reads_its_accounts(tmp_path):
    """Each start is a fresh interpreter, as after `docker compose restart`."""
    script = SCRIPT.format(db=tmp_path / "restart.db")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert done.stdout.split() == ["200", "engagelab-demo"], done.stderr[-2000:]
