"""The one webhook receiver of the tests: a real HTTP server on 127.0.0.1 that records every request and
answers from a script (status, delay, or no answer at all while held). The `receiver` fixture of
tests/conftest.py builds one; tests that need a second (a replica cluster, a restart) build their own.

Receivers that must misbehave below HTTP (accept and never read, answer raw bytes, TLS) stay next to their
tests (core/delivery: HangingReceiver, RawReceiver, the TLS echo; hardening: hostile receivers)."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _parse(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # http.server's 5 made connections beyond it wait a second for a SYN retry
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a sender killed mid-request (a replica, a crash test) resets its connection: expected


class Receiver:
    """A real HTTP server on 127.0.0.1 that records every request and answers from a script.

    `script`: statuses to answer in order, then `default`. `delay`: seconds each answer is held back (to
    observe how many requests overlap). `hold`: while set, each request is recorded and then kept open
    without an answer until `release` is set (a receiver that stops answering mid-delivery).
    `port`: listen on that port (a receiver that comes back at the same address)."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[dict] = []
        self.script: list[int] = []
        self.default = 200
        self.delay = 0.0
        self.hold, self.release = threading.Event(), threading.Event()
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", port), self._handler())
        # close() waits for the serving loop to notice the shutdown, which it checks once per poll: the
        # default 0.5 s added half a second to the teardown of every test with a receiver (~280 tests).
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._record(self.path, dict(self.headers), raw)
                if status is None:
                    return  # held: the sender is gone by now; close without an answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if status not in (204, 304):  # bodiless statuses (HTTP/1.1 §6.4.5): a strict client refuses one
                    self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        return Handler

    def _record(self, path: str, headers: dict, raw: bytes) -> int | None:
        """Record one request; the status to answer, or None when held (after waiting for `release`).
        A delayed request is recorded once its delay is over (as the answer goes out); a held one at once."""
        entry = {"path": path, "headers": headers, "body": _parse(raw), "raw": raw}
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            held = self.hold.is_set()
            if held:
                self.requests.append(entry)
        if held:
            self.release.wait(30)
        elif self.delay:
            time.sleep(self.delay)  # the receiver is slow; the sandbox under test never sleeps
        with self._lock:
            self.in_flight -= 1
            if held:
                return None
            self.requests.append(entry)
            return self.script.pop(0) if self.script else self.default

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def bodies(self, path: str | None = None) -> list:
        with self._lock:
            return [r["body"] for r in self.requests if path is None or r["path"] == path]

    def by_delivery_id(self) -> dict[str, list[str]]:
        """Raw bodies by X-Mock-Delivery-Id: a delivery id seen twice is a webhook delivered twice."""
        found: dict[str, list[str]] = defaultdict(list)
        with self._lock:
            for r in self.requests:
                found[r["headers"].get("X-Mock-Delivery-Id", "")].append(r["raw"].decode(errors="replace"))
        return found

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
