"""The server starts with exactly the environment docker-compose.yml and the Dockerfile give it
(no Docker engine here: the image's CMD runs as a subprocess, /data mapped to a tmp folder)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import yaml

from tests.e2e.server import clean_env, free_port, mockserver_exe, running_server
from tests.e2e.test_image_command import image_env, instruction

ROOT = Path(__file__).resolve().parents[2]
SUBST = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def resolve_unset(value: str) -> str:
    """Compose interpolation with no variables set: `${VAR:-default}` -> default, `${VAR}` -> ''."""
    return SUBST.sub(lambda m: m.group(2) or "", value)


def compose_service() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["mockserver"]


def compose_env() -> dict[str, str]:
    env = compose_service()["environment"]
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: resolve_unset(str(v)) for k, v in env.items()}


def as_container_env(tmp_path: Path) -> dict[str, str]:
    """The image's ENV overlaid by compose's environment, with the volume path and port moved for a test."""
    env = clean_env({**image_env(), **compose_env()})
    data = tmp_path / "data"
    for key, value in env.items():
        env[key] = value.replace("////data/", f"///{data}/")
    env["MOCKSERVER_PORT"] = str(free_port())  # the container's 8000 may be taken on this machine
    return env


def test_resolve_unset_takes_defaults_and_blanks():
    assert resolve_unset("${A:-false}") == "false"
    assert resolve_unset("${A:-}") == ""
    assert resolve_unset("${A}") == ""
    assert resolve_unset("x${A-7}y") == "x7y"


def test_compose_passes_empty_values_the_server_must_accept():
    # The crash-loop came from MOCKSERVER_SEED="" : keep the test meaningful by checking such a value exists.
    assert any(v == "" for v in compose_env().values()), compose_env()


def test_server_starts_with_exactly_the_compose_and_image_environment(tmp_path: Path):
    env = as_container_env(tmp_path)
    command = compose_service().get("command") or instruction("CMD")
    assert command == ["mockserver", "serve"]
    with running_server(env, cwd=tmp_path, argv=tuple(command[1:])) as base:
        health = httpx.get(f"{base}/_mock/health", timeout=5)
        assert health.status_code == 200 and health.json()["version"]
        test = compose_service()["healthcheck"]["test"]
        assert test[:2] == ["CMD", "mockserver"]
        check = subprocess.run([mockserver_exe(), *test[2:]], env=env, capture_output=True, timeout=20)
        assert check.returncode == 0, check.stderr
    assert (tmp_path / "data" / "mockserver.db").exists()
