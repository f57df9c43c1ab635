"""The image's exact CMD and HEALTHCHECK, run outside Docker with the image's ENV (driven with the test kit)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from mockserver.testing import Sandbox, SandboxError
from tests.providers.cast.kit import README as CAST_KEY  # the main Cast fixture key, printed in the README

ROOT = Path(__file__).resolve().parents[2]


def final_stage() -> str:
    return (ROOT / "Dockerfile").read_text().split("\nFROM ")[-1]


def image_env() -> dict[str, str]:
    """ENV lines of the final stage (KEY=VALUE pairs, backslash continuations)."""
    stage = final_stage().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in stage.splitlines():
        if line.startswith("ENV "):
            env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return env


def instruction(name: str) -> list[str]:
    line = next(l for l in final_stage().splitlines() if l.startswith(name + " "))
    return json.loads(line[line.index("["):])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resolve(argv: list[str]) -> list[str]:
    exe = shutil.which(argv[0], path=str(Path(sys.executable).parent)) or shutil.which(argv[0])
    assert exe, f"{argv[0]} is not installed (pip install -e .)"
    return [exe, *argv[1:]]


def test_image_cmd_serves_health_and_healthcheck_passes(tmp_path: Path):
    env = {**os.environ, **image_env()}
    assert env["MOCKSERVER_DATABASE_URL"] == "sqlite:////data/mockserver.db"
    env["MOCKSERVER_DATABASE_URL"] = f"sqlite:///{tmp_path}/data/mockserver.db"  # the volume, outside Docker
    env["MOCKSERVER_PORT"] = str(port := free_port())
    cmd = instruction("CMD")
    assert cmd == ["mockserver", "serve"]
    proc = subprocess.Popen(resolve(cmd), env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sandbox = Sandbox(f"http://127.0.0.1:{port}")
    try:
        try:
            assert sandbox.wait_healthy(timeout=30)["version"]
        except SandboxError as exc:
            raise AssertionError(proc.stdout.read1().decode() if proc.stdout else "") from exc
        # It serves the vendors for real: a fixture key sends, the message moves on the server's clock.
        sent = httpx.post(f"{sandbox.provider_url('cast')}/api/sms/send", headers={"X-API-Key": CAST_KEY},
                          json={"to": "09171234567", "message": "Your code is 314159", "sender_id": "CAST"})
        assert sent.status_code == 200, sent.text
        cast = sandbox.scoped(provider="cast")
        assert cast.otp(to="639171234567", timeout=10) == "314159"
        cast.advance(10)  # default timing: queued 1 s, delivered 3 s later
        assert cast.wait_for(to="639171234567", status="delivered", timeout=10).counts == {"delivered": 1}
        healthcheck = instruction("HEALTHCHECK")
        assert healthcheck == ["mockserver", "healthcheck"]
        check = subprocess.run(resolve(healthcheck), env=env, capture_output=True, timeout=20)
        assert check.returncode == 0, check.stderr
        assert (tmp_path / "data" / "mockserver.db").exists()
        index = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert index.status_code == 200
    finally:
        sandbox.close()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    output = proc.stdout.read().decode() if proc.stdout else ""
    # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean exit here.
    assert code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_healthcheck_fails_when_nothing_listens():
    env = {**os.environ, "MOCKSERVER_PORT": str(free_port())}
    check = subprocess.run(resolve(["mockserver", "healthcheck"]), env=env, capture_output=True, timeout=20)
    assert check.returncode == 1


def test_python_dash_m_serve_honours_host_and_port(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with Sandbox(f"http://127.0.0.1:{port}") as sandbox:
            sandbox.wait_healthy(timeout=30)  # raises SandboxError saying what it last got
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
