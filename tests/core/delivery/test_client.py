"""The webhook HTTP client (core/delivery/client.Poster on aiohttp) against a raw local
socket server that answers with scripted bytes: what a receiver may really send back."""

from __future__ import annotations

import asyncio
import base64
import http.server
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from mockserver.core.delivery.client import Poster


class RawReceiver:
    """Accepts connections; answers each request with the next scripted raw answer (None: never
    answer; a callable gets the connection and does what it likes). Records what arrived.

    Kept beside the shared receiver (tests/receivers.py) on purpose: these tests need answers no HTTP
    server writes (malformed heads, half answers, closed sockets), which only a raw socket can send."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/hook", auth: str = "") -> str:
        return f"http://{auth}127.0.0.1:{self.sock.getsockname()[1]}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._exchange(conn)
        except OSError:  # the client hung up on a hostile answer, as it should
            conn.close()

    def _exchange(self, conn: socket.socket) -> None:
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return conn.close()
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            while len(rest) < length:
                rest += conn.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + rest[:length])
            data = rest[length:]
            answer = self.answers.pop(0) if self.answers else b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            if answer is None:
                time.sleep(10)
                return conn.close()
            if callable(answer):
                return answer(conn)
            conn.sendall(answer)

    def close(self) -> None:
        self.sock.close()


def post(url: str, timeout: float = 2.0, headers: dict | None = None, times: int = 1,
         tls: ssl.SSLContext | bool = True) -> list:
    async def run():
        poster = Poster(timeout, total=8, per_host=4, tls=tls)
        try:
            return [await poster.post(url, '{"n": 1}', {"Content-Type": "application/json", **(headers or {})})
                    for _ in range(times)]
        finally:
            await poster.close()
    return asyncio.run(run())


@pytest.fixture
def raw():
    receivers: list[RawReceiver] = []

    def make(*answers) -> RawReceiver:
        receivers.append(RawReceiver(*answers))
        return receivers[-1]
    yield make
    for r in receivers:
        r.close()


def test_a_chunked_answer_gives_status_excerpt_and_retry_after(raw):
    r = raw(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nbusy,\r\n6\r\n later\r\n0\r\n\r\n")
    [result] = post(r.url())
    assert (result.status, result.excerpt, result.retry_after, result.error) == (503, "busy, later", 7.0, None)
    head, _, body = r.requests[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /hook HTTP/1.1" and body == b'{"n": 1}'
    assert {b"Host: " + r.url().split("/")[2].encode(), b"Content-Length: 8", b"Content-Type: application/json"} <= set(lines)


def test_keep_alive_reuses_one_connection_and_a_closed_idle_one_is_replaced(raw):
    def answer_then_hang_up(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none")
        conn.close()  # no "Connection: close": the client finds out on its next request
    r = raw(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", answer_then_hang_up,
            b"HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\ntwo")
    results = post(r.url(), times=3)
    assert [(a.status, a.excerpt) for a in results] == [(200, ""), (200, "one"), (201, "two")]
    assert (r.accepted, len(r.requests)) == (2, 3)


def test_a_body_ended_by_closing_the_connection_and_a_redirect_not_followed(raw):
    def old_style(conn):
        conn.sendall(b"HTTP/1.0 302 Found\r\nLocation: http://example.invalid/\r\n\r\nmoved ")
        conn.sendall(b"elsewhere")
        conn.close()
    r = raw(old_style)
    [result] = post(r.url())
    assert (result.status, result.excerpt, result.ok) == (302, "moved elsewhere", False)
    assert len(r.requests) == 1


def test_no_answer_is_a_timeout_and_no_listener_a_connection_error(raw):
    r = raw(None)
    started = time.perf_counter()
    [result] = post(r.url(), timeout=0.5)
    assert result.status is None and result.error.startswith("timeout") and time.perf_counter() - started > 0.45
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    [refused] = post(f"http://127.0.0.1:{port}/hook")
    assert refused.status is None and refused.error.startswith("ConnectionRefusedError")


def test_url_credentials_become_basic_auth_and_a_header_line_break_is_refused_unsent(raw):
    r = raw()
    [result] = post(r.url("/h?x=1", auth="user:p%40ss@"))
    lines = r.requests[0].split(b"\r\n")
    assert result.status == 200 and lines[0] == b"POST /h?x=1 HTTP/1.1"
    assert b"Authorization: Basic " + base64.b64encode(b"user:p@ss") in lines
    assert not any(b"user" in line for line in lines if line.startswith(b"Host:"))
    [bad] = post(r.url(), headers={"X-Evil": "a\r\nX-Injected: 1"})
    assert bad.status is None and bad.error.startswith("ValueError") and len(r.requests) == 1


class _Echo(http.server.BaseHTTPRequestHandler):
    """Echoes the body over HTTP/1.1 keep-alive behind TLS (the shared receiver speaks plain HTTP/1.0)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_https_verifies_the_receiver_certificate():
    """A self-signed receiver is refused as a connection error (aiohttp's verified default context); trusted
    (a context with its CA), the same receiver gets the POST. The certificate (127.0.0.1 and localhost, valid
    for a century) is a test file, tls/cert.pem."""
    tls = Path(__file__).parent / "tls"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        [untrusted] = post(f"https://localhost:{port}/hook")
        assert untrusted.status is None and untrusted.error.startswith("SSLCertVerificationError")
        trusted = post(f"https://localhost:{port}/hook", times=2,
                       tls=ssl.create_default_context(cafile=str(tls / "cert.pem")))
        assert [(a.status, a.excerpt) for a in trusted] == [(200, '{"n": 1}')] * 2
    finally:
        server.shutdown()
        server.server_close()
