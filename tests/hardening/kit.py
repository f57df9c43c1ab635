"""Helpers of the hardening tests: explicit settings, each vendor's valid send (from tests/vendors.py),
and a real `mockserver serve` subprocess for the tests that need a socket."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mockserver.settings import Settings
from tests.conftest import database_url
from tests.vendors import VENDORS

ROOT = Path(__file__).resolve().parents[2]


def hardening_settings(tmp_path: Path, **overrides) -> Settings:
    """Own database, seeded ids, no background loop, a frozen clock: nothing moves unless a test says so."""
    values = dict(database_url=database_url(tmp_path), seed=4321, scheduler_enabled=False,
                  rate_limit_enabled=False, clock_frozen=True)
    values.update(overrides)
    return Settings(**values)


def send_case(provider: str) -> tuple[str, dict[str, str], bytes, str]:
    """(path, headers, a valid send body, the vendor's error field) of one provider's send (tests/vendors.py)."""
    vendor = VENDORS[provider]
    return vendor.url, vendor.headers, vendor.raw_body(), vendor.error_field


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`python -m mockserver serve` on 127.0.0.1 in a subprocess (the real uvicorn wiring)."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/live.db",
                    "MOCKSERVER_PORT": str(self.port), "MOCKSERVER_HOST": "127.0.0.1", **env}
        self.proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"],
                                     env=full_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        with httpx.Client(timeout=1) as client:  # one client: httpx.get builds an SSL context per call
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/_mock/health").status_code == 200:
                        return
                time.sleep(0.02)
        self.close()
        raise RuntimeError(f"server did not start: {self.proc.stdout.read().decode(errors='replace')}")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
