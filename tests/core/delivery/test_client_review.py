"""The review's cases (issue 27) and issue 24's hostile receivers against the delivery client, on a raw
socket receiver: what goes on the wire for odd URLs and headers, and what an odd answer becomes."""

from __future__ import annotations

import asyncio
import base64
import gzip
import socket
import time

from mockserver.core.delivery.client import Poster
from tests.core.delivery.test_client import post, raw  # noqa: F401  (raw: the receiver fixture)

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _head(request: bytes) -> list[bytes]:
    return request.partition(b"\r\n\r\n")[0].split(b"\r\n")


def _named(lines: list[bytes], name: bytes) -> list[bytes]:
    return [line for line in lines[1:] if line.split(b":")[0].lower() == name.lower()]


def test_a_non_ascii_path_goes_out_percent_encoded_whole(raw):
    r = raw()
    [result] = post(r.url("/hook/ж?x=ё"))
    assert result.status == 200
    assert _head(r.requests[0])[0] == b"POST /hook/%D0%B6?x=%D1%91 HTTP/1.1"


def test_a_non_ascii_header_value_goes_out_utf8_encoded(raw):
    r = raw()
    [result] = post(r.url(), headers={"X-Name": "Жанна"})
    assert result.status == 200
    assert _named(_head(r.requests[0]), b"X-Name") == [b"X-Name: " + "Жанна".encode()]


def test_nul_crlf_edge_spaces_and_bad_names_are_refused_unsent_and_final(raw):
    r = raw()
    for headers in ({"X-A": "a\x00b"}, {"X-A": "a\r\nX-Injected: 1"}, {"X-A": "a\nb"}, {"X-A": " padded"},
                    {"X A": "v"}, {"X-A:": "v"}, {"X-Ж": "v"}):
        [bad] = post(r.url(), headers=headers)
        assert (bad.status, bad.final) == (None, True) and bad.error.startswith("ValueError"), headers
    [fine] = post(r.url(), headers={"Authorization": "Basic dTpw", "X-Sig": "t=1, v1=abc\tdef"})
    assert fine.status == 200 and len(r.requests) == 1  # spaces and tabs inside a value are fine
    assert _named(_head(r.requests[0]), b"X-Sig") == [b"X-Sig: t=1, v1=abc\tdef"]


def test_a_callers_host_and_framing_headers_are_never_sent_twice(raw):
    r = raw()
    [result] = post(r.url(), headers={"Host": "evil.example", "Content-Length": "999",
                                      "transfer-encoding": "chunked", "Connection": "upgrade"})
    assert result.status == 200
    lines = _head(r.requests[0])
    assert _named(lines, b"Host") == [b"Host: " + r.url().split("/")[2].encode()]
    assert _named(lines, b"Content-Length") == [b"Content-Length: 8"]
    assert not _named(lines, b"Transfer-Encoding") and not _named(lines, b"Connection")
    assert r.requests[0].endswith(b'\r\n\r\n{"n": 1}')


def test_url_credentials_give_one_authorization_header(raw):
    r = raw()
    post(r.url(auth="user:pw@"))
    post(r.url(auth="user:pw@"), headers={"Authorization": "Bearer vendor-token"})
    first, second = (_named(_head(req), b"Authorization") for req in r.requests)
    assert first == [b"Authorization: Basic " + base64.b64encode(b"user:pw")]
    assert second == [b"Authorization: Bearer vendor-token"]  # the vendor's callback authorization wins


def test_a_body_cut_short_is_a_failed_attempt_not_200(raw):
    def short(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
        conn.close()
    [result] = post(raw(short).url())
    assert (result.status, result.ok) == (None, False)
    assert result.error.startswith("ClientPayloadError")


def test_a_32_mib_head_of_short_lines_is_refused_early(raw):
    """Few lines, each under aiohttp's line limit, over 64 KiB together: the client's own head bound."""
    sent: list[int] = []

    def huge(conn: socket.socket) -> None:
        total = 0
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while total < 32 * 1024 * 1024:
                conn.sendall(b"X-Pad: " + b"p" * 8000 + b"\r\n")
                total += 8009
        except OSError:
            pass
        sent.append(total)
        conn.close()
    [result] = post(raw(huge).url(), timeout=30)
    assert result.status is None and "head" in result.error
    deadline = time.monotonic() + 30
    while not sent and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sent and sent[0] < 16 * 1024 * 1024  # the client hung up long before the 32 MiB


def test_a_whole_head_over_64_kib_is_refused_though_each_line_is_short(raw):
    lines = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 8000) for i in range(20))
    [result] = post(raw(b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 0\r\n\r\n").url())
    assert result.status is None and "over 65536 bytes" in result.error


def test_a_few_interim_answers_are_fine(raw):
    r = raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 3 + b"HTTP/1.1 204 No Content\r\n\r\n")
    [result] = post(r.url())
    assert (result.status, result.error) == (204, None)


def test_garbage_is_a_failed_attempt_and_the_next_webhook_gets_a_new_connection(raw):
    r = raw(b"SMTP ready\r\n\r\n", b"HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\nnext")
    first, second = post(r.url(), times=2)
    assert first.status is None and "bad answer head" in first.error
    assert (second.status, second.excerpt) == (202, "next") and r.accepted == 2


def _post_apart(url: str, pause: float) -> list:
    async def run():
        poster = Poster(5.0, total=8, per_host=4)
        try:
            first = await poster.post(url, "{}", {})
            await asyncio.sleep(pause)
            return [first, await poster.post(url, "{}", {})]
        finally:
            await poster.close()
    return asyncio.run(run())


def test_bytes_arriving_after_the_answer_while_idle_close_the_pooled_connection(raw):
    def late_smuggler(conn: socket.socket) -> None:
        conn.sendall(OK)
        time.sleep(0.2)
        conn.sendall(b"HTTP/1.1 500 Smuggled\r\nContent-Length: 0\r\n\r\n")
        time.sleep(3)
        conn.close()
    r = raw(late_smuggler, b"HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\nnext")
    first, second = _post_apart(r.url(), pause=0.8)
    assert (first.status, second.status, second.excerpt) == (200, 202, "next")
    assert r.accepted == 2


def test_a_body_over_the_cap_closes_the_connection_rather_than_pooling_it(raw):
    big = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (3 * 1024 * 1024) + b"x" * (3 * 1024 * 1024)
    r = raw(big, b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    first, second = post(r.url(), times=2)
    assert (first.status, first.excerpt[:3], second.status) == (200, "xxx", 201)
    assert r.accepted == 2


def test_no_compression_no_cookies_no_proxy_from_the_environment(raw, monkeypatch):
    packed = gzip.compress(b"plain")
    r = raw(b"HTTP/1.1 200 OK\r\nSet-Cookie: s=1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
            % len(packed) + packed)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    first, second = post(r.url(), times=2)
    assert first.status == 200 and first.excerpt != "plain"  # logged as it came, not decompressed
    assert second.status == 200
    lines = _head(r.requests[1])
    assert not _named(lines, b"Cookie") and not _named(lines, b"Accept-Encoding")


def test_a_hang_up_without_answer_on_a_new_connection_is_not_resent(raw):
    """Only a kept-alive connection closed under us is retried at once; a receiver that read the request
    on a fresh connection and hung up gets no second copy from the client (the ladder decides)."""
    r = raw(lambda conn: conn.close())
    [result] = post(r.url())
    assert result.status is None and result.error.startswith("ServerDisconnectedError")
    assert (len(r.requests), r.accepted) == (1, 1)
