"""kill -9 in the middle of deliveries, then a restart on the same database: only the attempts
that were in flight go out again (once, after their lease), each with its original delivery id;
nothing already answered is re-sent, and the log has one row per answered attempt."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.core.delivery.conftest import wait_for
from tests.providers.engagelab.kit import AUTH, tpl
from tests.receivers import Receiver

pytestmark = pytest.mark.sqlite_only("kill -9 and restart on one SQLite file (PostgreSQL: the multi-replica test)")

ACCOUNT = "engagelab-demo"


def words(receiver: Receiver, word: str) -> list[str]:
    """Delivery ids of the callbacks whose first row has message_status `word` ("check": the {} probe)."""
    out = []
    for r in list(receiver.requests):
        rows = (r["body"] if isinstance(r["body"], dict) else {}).get("rows") or [{}]
        if (rows[0].get("status") or {}).get("message_status", "check") == word:
            out.append(r["headers"].get("X-Mock-Delivery-Id", ""))
    return out


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
    receiver = Receiver()  # `hold` keeps requests open without an answer
    db, port = tmp_path / "crash.db", free_port()
    base = f"http://127.0.0.1:{port}"
    first = start(db, port)
    try:
        assert httpx.patch(f"{base}/_mock/accounts/{ACCOUNT}", json={"dlr_url": receiver.url()}).status_code == 200
        targets = [f"+63917000{i:04d}" for i in range(5)]
        assert httpx.post(f"{base}/engagelab/v1/messages", headers=AUTH,
                          json=tpl("notification-template", to=targets, order="1")).status_code == 200
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 0}, timeout=10)
        wait_for(lambda: len(words(receiver, "plan")) == 5)  # the accept callbacks, answered
        receiver.hold.set()
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 1}, timeout=10)  # 5 'sent' callbacks, held
        wait_for(lambda: len(words(receiver, "sent")) == 5)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    held = words(receiver, "sent")
    receiver.hold.clear()
    receiver.release.set()

    second = start(db, port)
    try:
        wait_for(lambda: len(words(receiver, "sent")) == 10, timeout=15)  # re-sent once each, after the lease
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 10}, timeout=10)
        wait_for(lambda: len(words(receiver, "delivered")) == 5)
        hooks = httpx.get(f"{base}/_mock/webhooks", params={"order": "asc", "attempts": True, "limit": 500}).json()["items"]
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(10)
    assert sorted(words(receiver, "sent")) == sorted(held * 2)  # each held one exactly twice, same delivery id
    assert len(words(receiver, "plan")) == 5 and len(words(receiver, "delivered")) == 5  # nothing else again
    assert all(h["status"] == "delivered" and len(h["attempt_log"]) == 1 for h in hooks)
    received = len(receiver.requests) - 1  # minus the {} URL check
    receiver.close()
    assert received == len(hooks) + len(held)
