"""A real `mockserver serve` in a subprocess on a free loopback port, for end-to-end and browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Mapping

import httpx

BASE_ENV_KEYS = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mockserver_exe() -> str:
    exe = shutil.which("mockserver", path=str(Path(sys.executable).parent)) or shutil.which("mockserver")
    assert exe, "the mockserver script is not installed (pip install -e .)"
    return exe


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """Only the OS basics plus `extra`: no MOCKSERVER_* leaks in from the developer's shell."""
    env = {k: os.environ[k] for k in BASE_ENV_KEYS if k in os.environ}
    env.update(extra)
    return env


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 120) -> httpx.Response:
    """Poll /_mock/health until 200; fail with the server's output if it dies or never answers. The
    timeout is generous: it only bounds a hang, and a loaded 2-core box can take long to import and start."""
    deadline, last = time.monotonic() + timeout, None
    with httpx.Client(timeout=1) as client:  # one client: httpx.get builds an SSL context per call (~20 ms CPU)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"server exited {proc.returncode}: {read_output(proc)}")
            try:
                last = client.get(f"{base}/_mock/health")
                if last.status_code == 200:
                    return last
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
    raise AssertionError(f"no 200 from {base}/_mock/health (last: {last})")


def read_output(proc: subprocess.Popen) -> str:
    return proc.stdout.read().decode(errors="replace") if proc.stdout else ""


@contextlib.contextmanager
def running_server(env: Mapping[str, str], cwd: Path, argv: tuple[str, ...] = ("serve",)) -> Iterator[str]:
    """Start `mockserver <argv>` with exactly `env`, yield its base URL once healthy, stop it with SIGTERM."""
    port = env.get("MOCKSERVER_PORT")
    assert port, "give MOCKSERVER_PORT (use free_port())"
    proc = subprocess.Popen([mockserver_exe(), *argv], env=dict(env), cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
