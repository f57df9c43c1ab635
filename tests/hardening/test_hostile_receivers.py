"""Hostile webhook receivers (issue 24, finding 4): the delivery client bounds the answer's head, its
header count, interim 1xx answers and the body it reads; a 101, garbage or bytes after the answer are a
failed attempt (recorded, retried by the ladder), and never poison a pooled connection."""

from __future__ import annotations

import socket
import time

import pytest

from tests.core.delivery.conftest import wait_for
from tests.core.delivery.test_client import RawReceiver, post, raw  # noqa: F401  (raw: the receiver fixture)
from tests.hardening.kit import send_case


def _stream(first: bytes, filler: bytes, limit: int = 200 * 1024 * 1024):
    """An answer that starts with `first`, then sends `filler` until the client hangs up; records the bytes."""
    sent = []

    def answer(conn: socket.socket) -> None:
        total = 0
        try:
            conn.sendall(first)
            while total < limit:
                conn.sendall(filler)
                total += len(filler)
        except OSError:
            pass
        finally:
            sent.append(total)
            conn.close()
    return answer, sent


def _sent(sent: list, timeout: float = 30) -> int:
    """Bytes the receiver managed to send before the client hung up (waits for its thread to notice)."""
    deadline = time.monotonic() + timeout
    while not sent and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sent, "the client never hung up"
    return sent[0]


def test_an_endless_header_value_fails_the_attempt_early(raw):
    answer, sent = _stream(b"HTTP/1.1 200 OK\r\nX-Endless: ", b"a" * 65536)
    [result] = post(raw(answer).url(), timeout=30)
    assert result.status is None and "head" in result.error
    assert _sent(sent) < 50 * 1024 * 1024  # the client hung up; it did not read until the timeout


def test_too_many_header_lines_fail_the_attempt(raw):
    lines = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    [result] = post(raw(b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 0\r\n\r\n").url())
    assert result.status is None and "head" in result.error


def test_an_endless_body_is_read_up_to_a_mebibyte_then_dropped(raw):
    answer, sent = _stream(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n", b"b" * 65536)
    r = raw(answer)
    [result] = post(r.url(), timeout=30)
    assert (result.status, result.error) == (200, None) and result.excerpt.startswith("bbbb")
    assert _sent(sent) < 50 * 1024 * 1024


def test_switching_protocols_is_a_failed_attempt(raw):
    r = raw(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nxyz")
    [result] = post(r.url(), timeout=5)
    assert result.status is None and "101" in result.error


def test_endless_interim_answers_fail_the_attempt(raw):
    r = raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 50 + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    [result] = post(r.url(), timeout=5)
    assert result.status is None and "interim" in result.error


def test_bytes_after_an_answer_do_not_poison_the_next_webhook(raw):
    r = raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 Smuggled\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\nnext")
    first, second = post(r.url(), times=2)
    assert (first.status, second.status, second.excerpt) == (200, 202, "next")
    assert r.accepted == 2  # the first connection was not reused


def test_a_101_receiver_gets_a_recorded_failed_attempt_on_the_ladder(app_factory, raw):
    """Through the dispatcher (both backends): the attempt is logged with its error and the webhook is
    retried by the ladder, not re-sent forever unrecorded."""
    r = raw(*[b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"] * 20)
    client = app_factory()
    path, headers, _, _ = send_case("smscpr")
    body = {"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
            "to": "+15550002222", "body": "hi", "callbackUrl": r.url()}
    assert client.post(path, json=body, headers=headers).status_code in (200, 201)
    assert client.post("/_mock/clock/advance", json={"seconds": 600}).status_code == 200
    def attempted() -> dict | None:
        hooks = client.get("/_mock/webhooks").json()["items"]
        detail = client.get(f"/_mock/webhooks/{min(h['id'] for h in hooks)}").json() if hooks else None
        return detail if detail and detail["attempts"] >= 1 else None
    detail = wait_for(attempted, timeout=30)
    # An advance of 600 s runs the whole ladder (2+4+8+16 s of backoff): every attempt recorded, then failed.
    assert detail["status"] == "failed" and detail["attempts"] == detail["max_attempts"], detail
    first = detail["attempt_log"][0]
    assert first["response_status"] is None and "101" in first["error"]
    assert len(detail["attempt_log"]) == detail["attempts"]
