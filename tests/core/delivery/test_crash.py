"""kill -9 in the middle of deliveries, then a restart on the same database: only the attempts
that were in flight go out again (once, after their lease), each with its original delivery id;
nothing already answered is re-sent, and the log has one row per answered attempt."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.core.delivery.conftest import wait_for
from tests.providers.engagelab.kit import AUTH, tpl

pytestmark = pytest.mark.sqlite_only("kill -9 and restart on one SQLite file (PostgreSQL: the multi-replica test)")

ACCOUNT = "engagelab-demo"


class HoldingReceiver:
    """Answers 200, or, while `hold` is set, keeps each request open without an answer."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []  # (delivery id, message_status of the first row)
        self.hold = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                rows = body.get("rows") or [{}]
                word = (rows[0].get("status") or {}).get("message_status", "check")
                receiver.got.append((self.headers.get("X-Mock-Delivery-Id", ""), word))
                if receiver.hold.is_set():
                    receiver.release.wait(30)
                    return  # the sender is gone by now: close without an answer
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def words(self, word: str) -> list[str]:
        return [d for d, w in self.got if w == word]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{db}", "MOCKSERVER_CLOCK_FROZEN": "true",
           "MOCKSERVER_SEED": "7", "MOCKSERVER_WEBHOOK_LEASE": "2", "MOCKSERVER_WEBHOOK_TIMEOUT": "60",
           "MOCKSERVER_WEBHOOK_SETTLE_WAIT": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/_mock/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
    wait_for(up, timeout=30, every=0.1)
    return proc


def test_kill_9_mid_delivery_resends_only_the_in_flight_attempts(tmp_path):
    receiver = HoldingReceiver()
    db, port = tmp_path / "crash.db", free_port()
    base = f"http://127.0.0.1:{port}"
    first = start(db, port)
    try:
        assert httpx.patch(f"{base}/_mock/accounts/{ACCOUNT}", json={"dlr_url": receiver.url()}).status_code == 200
        targets = [f"+63917000{i:04d}" for i in range(5)]
        assert httpx.post(f"{base}/engagelab/v1/messages", headers=AUTH,
                          json=tpl("notification-template", to=targets, order="1")).status_code == 200
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 0}, timeout=10)
        wait_for(lambda: len(receiver.words("plan")) == 5)  # the accept callbacks, answered
        receiver.hold.set()
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 1}, timeout=10)  # 5 'sent' callbacks, held
        wait_for(lambda: len(receiver.words("sent")) == 5)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    held = receiver.words("sent")
    receiver.hold.clear()
    receiver.release.set()

    second = start(db, port)
    try:
        wait_for(lambda: len(receiver.words("sent")) == 10, timeout=15)  # re-sent once each, after the lease
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 10}, timeout=10)
        wait_for(lambda: len(receiver.words("delivered")) == 5)
        hooks = httpx.get(f"{base}/_mock/webhooks", params={"order": "asc", "attempts": True, "limit": 500}).json()["items"]
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(10)
    assert sorted(receiver.words("sent")) == sorted(held * 2)  # each held one exactly twice, same delivery id
    assert len(receiver.words("plan")) == 5 and len(receiver.words("delivered")) == 5  # nothing else again
    assert all(h["status"] == "delivered" and len(h["attempt_log"]) == 1 for h in hooks)
    received = len(receiver.got) - 1  # minus the {} URL check
    assert received == len(hooks) + len(held)
