"""Request-head limits on the real server (`mockserver serve`, uvicorn + httptools): past 64 KiB of
request line and headers, or 100 header lines, the client gets 431 and the connection closes, fast."""

from __future__ import annotations

import socket

import httpx


def exchange(server, head: bytes, stream_after: int = 0, chunk: bytes = b"") -> tuple[bytes, int]:
    """Send a request head (then keep streaming `chunk` up to `stream_after` bytes); the answer and how
    many of those streamed bytes went out before the server hung up."""
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        try:
            sock.sendall(head)
            while sent < stream_after:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up mid-upload: what we want; its answer is still readable
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer, sent


def test_one_huge_header_gets_431_quickly(live_server):
    head = b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    answer, _ = exchange(live_server, head)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]


def test_a_64_mib_header_streaming_in_is_cut_off_early(live_server):
    answer, sent = exchange(live_server, b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: ",
                            stream_after=64 * 1024 * 1024, chunk=b"a" * 65536)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert sent < 64 * 1024 * 1024, sent  # the server hung up mid-upload instead of reading it all


def test_too_many_headers_get_431(live_server):
    lines = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    answer, _ = exchange(live_server, b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n" + lines + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_an_overlong_request_line_gets_431(live_server):
    answer, _ = exchange(live_server, b"GET /_mock/health?q=" + b"z" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_ordinary_requests_are_unaffected_and_keep_alive_works(live_server):
    headers = {f"X-H{i}": "v" * 100 for i in range(60)}
    with httpx.Client(base_url=live_server.url) as client:
        for _ in range(3):  # one connection, several requests: the per-request counters reset
            resp = client.get("/_mock/health", headers=headers)
            assert resp.status_code == 200
        big = client.post("/_mock/accounts", json={"provider": "mesms", "name": "n" * 300_000})
        assert big.status_code == 201, big.text  # a large body is not a large head


def test_the_server_is_healthy_after_refusals(live_server):
    exchange(live_server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 500_000 + b"\r\n\r\n")
    assert httpx.get(f"{live_server.url}/_mock/health").status_code == 200
