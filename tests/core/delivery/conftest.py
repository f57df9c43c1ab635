"""Fixtures of the delivery-engine tests: apps with explicit delivery settings, and receivers that
hang (accept, read, never answer) next to the scripted receiver of tests/conftest.py."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Receiver, Sandboxes, make_settings

#: Explicit delivery settings, so these tests do not move when defaults do.
DELIVERY = dict(webhook_timeout=3.0, webhook_max_attempts=5, webhook_backoff_base=1.0, webhook_concurrency=8,
                webhook_per_host_concurrency=4, webhook_lease=5.0, webhook_settle_wait=1.0)


class HangingReceiver:
    """Accepts connections and reads requests, never answers (a handler paused in a debugger).

    A raw socket, not the shared receiver (tests/receivers.py): it counts requests whose head arrived and
    holds them past any timeout without a handler thread each, which an HTTP server cannot."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.requests = 0
        self._conns: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            try:
                chunk = conn.recv(65536)
            except OSError:  # closed by close() at the end of the test
                return
            if not chunk:
                return
            data += chunk
        self.requests += 1

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}{path}"

    def close(self) -> None:
        self._stop = True
        self.sock.close()
        for conn in self._conns:
            conn.close()


@pytest.fixture
def hanging() -> Iterator[HangingReceiver]:
    r = HangingReceiver()
    yield r
    r.close()


@pytest.fixture
def failing() -> Iterator[Receiver]:
    """A receiver answering 500 to everything."""
    r = Receiver()
    r.default = 500
    yield r
    r.close()


@pytest.fixture
def engine(tmp_path: Path, sandboxes: Sandboxes) -> Callable[..., TestClient]:
    """Build a started app with the explicit delivery settings plus overrides; closed after the test."""
    return lambda **overrides: sandboxes.start(make_settings(tmp_path, **{**DELIVERY, **overrides}))


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, every: float = 0.02):
    """Poll until predicate() is truthy (returns it) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s")
