"""Helpers of the hardening tests: explicit settings, each provider's fixture credentials and a valid
send, and a real `mockserver serve` subprocess for the tests that need a socket."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx

from mockserver.settings import Settings
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"


def hardening_settings(tmp_path: Path, **overrides) -> Settings:
    """Own database, seeded ids, no background loop, a frozen clock: nothing moves unless a test says so."""
    values = dict(database_url=database_url(tmp_path), seed=4321, scheduler_enabled=False,
                  rate_limit_enabled=False, clock_frozen=True)
    values.update(overrides)
    return Settings(**values)


def first_key(provider: str) -> dict:
    data = tomllib.loads((FIXTURES / f"{provider}.toml").read_text())
    return data["accounts"][0]["keys"][0]


def send_case(provider: str) -> tuple[str, dict[str, str], bytes, str]:
    """(path, headers, a valid send body, the vendor's error field) for one provider's send."""
    if provider == "cast":
        return ("/cast/api/sms/send", {"X-API-Key": first_key("cast")["key"]},
                b'{"to":"09171234567","message":"hello","sender_id":"CAST"}', "error")
    if provider == "mesms":
        return ("/mesms/api/v2/sms/send", {"x-api-key": first_key("mesms")["key"]},
                b'{"sender":"MeSMS","content":"hello","msisdns":["0812345678"]}', "error")
    if provider == "smscpr":
        return ("/smscpr/v1/sendsms", {"Authorization": f"Bearer {first_key('smscpr')['key']}"},
                b'{"servicePlanId":"222222222222222222222222","channel":"SMS","from":"+15550001111",'
                b'"to":"+15550002222","body":"hello"}', "errorCode")
    key = first_key("engagelab")
    basic = base64.b64encode(f"{key['key']}:{key['secret']}".encode()).decode()
    return ("/engagelab/v1/messages", {"Authorization": f"Basic {basic}"},
            b'{"to":["923700056581"],"template":{"id":1233,"params":{"content":"hello"}}}', "code")


PROVIDER_NAMES = ("cast", "engagelab", "mesms", "smscpr")


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
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_mock/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError(f"server did not start: {self.proc.stdout.read().decode(errors='replace')}")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
