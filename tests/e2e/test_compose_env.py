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


def env_file_values(path: Path) -> dict[str, str]:
    """KEY=value lines of a compose env_file (comments and blank lines skipped)."""
    pairs = [line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return {k.strip(): v for k, v in pairs}


def as_container_env(tmp_path: Path, env_file: Path | None = None) -> dict[str, str]:
    """The image's ENV, then compose's env_file, then its environment (compose's order of precedence), with
    the volume path and port moved for a test."""
    file_env = env_file_values(env_file or ROOT / compose_service()["env_file"])
    env = clean_env({**image_env(), **file_env, **compose_env()})
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


def test_every_sandbox_service_can_call_back_to_the_host_and_reads_the_env_file():
    """On Linux the container reaches an app on the host only through host-gateway (README: "How the
    sandbox reaches your app"); mockserver.env carries any setting, shipped so env_file never fails."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("mockserver", "replica-1", "replica-2"):
        service = services[name]
        assert "host.docker.internal:host-gateway" in service.get("extra_hosts", []), name
        assert service.get("env_file") == "mockserver.env", name
    assert (ROOT / "mockserver.env").is_file()
    assert env_file_values(ROOT / "mockserver.env") == {}  # shipped with examples only, all commented


def test_a_setting_in_the_env_file_reaches_the_server(tmp_path: Path):
    env_file = tmp_path / "mockserver.env"
    env_file.write_text("# a user's settings\nMOCKSERVER_MAX_BODY_BYTES=2000\nMOCKSERVER_TIMING=instant\n")
    env = as_container_env(tmp_path, env_file)
    assert env["MOCKSERVER_MAX_BODY_BYTES"] == "2000"
    # compose's environment wins over the file for the variables it lists (here: TIMING, from the shell)
    assert env["MOCKSERVER_TIMING"] == "default"
    with running_server(env, cwd=tmp_path, argv=("serve",)) as base:
        headers = {"Content-Type": "application/json"}
        small = httpx.post(f"{base}/mesms/api/v2/sms/send", content=b" " * 1000 + b"{}", headers=headers, timeout=5)
        big = httpx.post(f"{base}/mesms/api/v2/sms/send", content=b" " * 5000 + b"{}", headers=headers, timeout=5)
        assert (small.status_code, big.status_code) == (401, 413)
