"""Dockerfile and docker-compose.yml, checked statically (no Docker engine on these machines)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} must be installed in CI (see .ci/run)")
        pytest.skip(f"{name} not installed")
    return found


def test_dockerfile_passes_hadolint():
    result = subprocess.run([_tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_is_valid_and_wires_volume_port_and_healthcheck():
    result = subprocess.run([_tool("docker-compose"), "-f", "docker-compose.yml", "config"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    config = result.stdout
    assert "sandbox-data" in config and "/data" in config
    assert "8000" in config
    assert "mockserver" in config and "healthcheck" in config


def test_dockerfile_runs_as_non_root_with_healthcheck_and_volume():
    text = (ROOT / "Dockerfile").read_text()
    final_stage = text.split("\nFROM ")[-1]
    assert "USER 10001" in final_stage
    assert 'HEALTHCHECK' in final_stage and 'VOLUME ["/data"]' in final_stage
    assert "EXPOSE 8000" in final_stage
