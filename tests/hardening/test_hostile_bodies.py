"""Hostile request bodies and heads against a real `mockserver serve` (issue 24, findings 1-3 and the
head timeout of 9): a big balanced nested body does not stall other clients, chunked trailers obey the
head limits, a request either runs or gets 431 (never both), and a half-sent head is dropped."""

from __future__ import annotations

import json
import select
import socket

import httpx
import pytest

from mockserver.limits import json_too_deep
from tests.hardening.kit import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("hostile"), {"MOCKSERVER_RATE_LIMIT_ENABLED": "false",
                                                         "MOCKSERVER_HEAD_TIMEOUT": "1"})
    yield live
    live.close()


def _raw(server: LiveServer, data: bytes, timeout: float = 30) -> bytes:
    """Send raw bytes, read until the server closes or answers whole; the answer's bytes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"connection: close" in answer.lower():
                    break
        except (ConnectionResetError, TimeoutError):
            pass
        return answer


def test_the_depth_check_is_one_pass_with_the_same_answers():
    wide = b"[" + b",".join([b"[" * 63 + b"1" + b"]" * 63] * 2000) + b"]"  # depth 64, over and over
    assert not json_too_deep(wide, 64) and json_too_deep(wide, 63)
    assert json_too_deep(b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}", 64)
    assert not json_too_deep(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 4)


def test_a_big_nested_body_does_not_stall_other_clients(server):
    """8 MB of brackets nested 64 deep (the check must read all of it): health sent once the body is
    uploaded is answered before the nested body is. Before, the check ran 64 regex passes on the event
    loop (~8 s) and health waited behind it."""
    body = b'{"a":[' + b",".join([b"[" * 62 + b"]" * 62] * 32_000) + b"]}"
    body = body + b" " * (8_000_000 - len(body))
    head = (b"POST /mesms/api/v2/sms/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as big:
        big.sendall(head + body)
        health = httpx.get(f"{server.url}/_mock/health", timeout=120)
        big_answered_first = bool(select.select([big], [], [], 0)[0])
        answer = big.recv(65536)
    assert health.status_code == 200
    assert answer.split(b" ")[1] in (b"400", b"401", b"422"), answer[:200]
    assert not big_answered_first, "health waited for the nested body's check"


def test_chunked_trailers_count_against_the_head_limit(server):
    trailers = b"".join(b"X-T%d: %s\r\n" % (i, b"a" * 1000) for i in range(2000))  # ~2 MB of trailers
    request = (b"POST /_mock/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + trailers + b"\r\n")
    answer = _raw(server, request)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]


def test_one_long_trailer_line_is_refused_as_it_streams(server):
    request = (b"POST /_mock/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Long: " + b"a" * 3_000_000)
    assert _raw(server, request).startswith(b"HTTP/1.1 431 ")


def test_a_big_body_that_ran_is_not_answered_431(server):
    """A 100 KB account body arriving with its head in one read: created, and answered 201 (it was stored
    and answered 431: a client retrying made it twice)."""
    body = json.dumps({"provider": "cast", "id": "big-one", "name": "n" * 99_000}).encode()
    head = (b"POST /_mock/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
    answer = _raw(server, head + body)
    status = answer.split(b"\r\n", 1)[0]
    created = httpx.get(f"{server.url}/_mock/accounts/big-one", timeout=10).status_code == 200
    assert (status.startswith(b"HTTP/1.1 431"), created) in ((True, False), (False, True)), status
    assert status.startswith((b"HTTP/1.1 201", b"HTTP/1.1 200", b"HTTP/1.1 422")), status


def test_a_half_sent_head_is_dropped(server):
    """MOCKSERVER_HEAD_TIMEOUT (1 s here): the connection is closed, not held for as long as the client likes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert sock.recv(1024) == b""  # closed by the server well before the 15 s read timeout
