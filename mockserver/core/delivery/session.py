"""The aiohttp session webhook delivery posts with, and the limits a hostile receiver meets there.

aiohttp parses the answer (its C parser), pools connections, verifies TLS and encodes URLs. What it
leaves open for a webhook client is bounded here: the whole answer head (aiohttp bounds each line
and the line count, not their sum), interim 1xx answers (aiohttp skips any number), and bytes
after the answer (never parsed as the next webhook's answer: the connection is closed instead).
Outgoing headers are checked before anything is sent (outgoing_headers).
"""

from __future__ import annotations

import contextvars
import functools
import re
import ssl
from typing import Any

import aiohttp
from aiohttp.client_proto import ResponseHandler

#: The answer's head: a status line or header line over MAX_LINE bytes, more than MAX_HEADERS lines,
#: or MAX_HEAD bytes in all without a whole head fails the attempt (issue 24: 64 KiB, 100 lines).
MAX_LINE, MAX_HEADERS, MAX_HEAD = 8190, 100, 64 * 1024
#: Interim 1xx answers allowed before the real one.
MAX_INTERIM = 5
#: Bytes handed to the parser at a time until the answer's head is in (see _GuardedHandler.data_received).
_PIECE = 2048

#: Headers the client writes itself from the URL and the body: a caller's copy is dropped, never sent
#: twice or in contradiction (a wrong Content-Length would frame the next request on the connection).
FRAMING = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
                     "expect", "te", "trailer"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # HTAB is allowed inside a value, nothing else


#: The connection the current task's request went out on (set as the request starts; see reused_idle).
_CURRENT: contextvars.ContextVar["_GuardedHandler | None"] = contextvars.ContextVar("webhook_conn", default=None)


class ProtocolError(aiohttp.ClientPayloadError):
    """The receiver answered with something a webhook client must not accept (see the module doc)."""


def outgoing_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers to send: framing headers dropped (FRAMING); ValueError for a name that is not an HTTP
    token (a space, a colon) or a value with a control character (CR, LF, NUL) or edge whitespace.
    Non-ASCII values go out UTF-8 encoded (aiohttp's writer), never as '?'."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        if not _TOKEN.match(name):
            raise ValueError(f"header name {name[:40]!r} is not an HTTP token")
        if _CONTROL.search(value) or value != value.strip(" \t"):
            raise ValueError(f"header {name[:40]!r} holds a control character or edge whitespace")
        if name.lower() not in FRAMING:
            kept[name] = value
    return kept


class _GuardedHandler(ResponseHandler):
    """aiohttp's connection protocol with the limits it lacks: state is per request (set_response_params
    runs as each request starts on the connection). It overrides aiohttp 3.x internals (data_received,
    feed_data of parsed answers, set_exception, _payload): pinned <4 in pyproject, and the raw-receiver
    tests in tests/core/delivery fail if they change under it."""

    def __init__(self, loop) -> None:
        super().__init__(loop)
        self._reset()
        self.requests = 0  # requests started on this connection (more than one: it was kept alive)

    def _reset(self) -> None:
        self._head_bytes = self._interim = 0
        self._answered = self._refused = self.got_bytes = False

    def set_response_params(self, **kwargs: Any) -> None:
        self._reset()
        self.requests += 1
        _CURRENT.set(self)
        super().set_response_params(**kwargs)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self.got_bytes = self.got_bytes or bool(data)
        if data and self._answered and (self._payload is None or self._payload.is_eof()):
            return self._refuse(ProtocolError("bytes after the answer"))
        # Until the answer's head is in, parse in small pieces: one read of a 1xx flood holds thousands of
        # heads, and the parser builds all of them before a limit can stop it (measured: 32 such
        # receivers stalled the event loop 1.5 s).
        while len(data) > _PIECE and not self._answered:
            self._parse(data[:_PIECE])
            data = data[_PIECE:]
            if self._refused:
                return
        self._parse(data)

    def _parse(self, data: bytes) -> None:
        seen = self._interim, self._answered
        super().data_received(data)
        if (self._interim, self._answered) != seen:
            self._head_bytes = 0  # a head was completed in this read: count the next one afresh
        elif not self._answered:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD:
                self._refuse(ProtocolError(f"answer head over {MAX_HEAD} bytes"))

    def feed_data(self, data, size: int = 0) -> None:
        if self._refused:
            return
        code = data[0].code
        if self._answered:
            return self._refuse(ProtocolError("bytes after the answer"))
        if 100 <= code < 200 and code != 101:
            self._interim += 1
            if self._interim > MAX_INTERIM:
                return self._refuse(ProtocolError(f"more than {MAX_INTERIM} interim 1xx answers"))
        else:
            self._answered = True
        super().feed_data(data, size)

    def set_exception(self, exc, *cause) -> None:
        if not self._refused:  # the refusal is the reason; the close it causes is not
            super().set_exception(exc, *cause)

    def _refuse(self, exc: ProtocolError) -> None:
        super().set_exception(exc)
        self._refused = True
        if self._payload is not None and not self._payload.is_eof():
            self._payload.set_exception(exc)
        self._should_close = True
        if self.transport is not None:
            self.transport.close()


def forget_connection() -> None:
    """Start of an attempt: no connection of an earlier request of this task counts for reused_idle."""
    _CURRENT.set(None)


def reused_idle() -> bool:
    """Whether the current task's last request failed on a kept-alive connection that sent nothing back:
    the receiver closed it as we wrote (its FIN not yet seen), the one case worth one more try at once on
    a new connection, as keep-alive clients do. aiohttp does that only for idempotent methods."""
    handler = _CURRENT.get()
    _CURRENT.set(None)
    return handler is not None and handler.requests > 1 and not handler.got_bytes


class _GuardedConnector(aiohttp.TCPConnector):
    """A TCPConnector whose connections speak through _GuardedHandler (aiohttp builds each connection's
    protocol with its private `_factory`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._factory = functools.partial(_GuardedHandler, loop=self._loop)


def new_session(timeout: float, total: int, per_host: int, tls: ssl.SSLContext | bool = True) -> aiohttp.ClientSession:
    """One pooled session per event loop: `total`/`per_host` cap open connections (the lanes cap requests
    in flight); no redirects (per request), no cookies, no proxy from the environment, no compression
    asked for or undone. https is verified: `tls` True is aiohttp's verified default context, which it
    builds once as it is imported (the system's CAs, SSL_CERT_FILE honoured). A context of our own per
    session read the CA store again on the event loop at the first attempt: ~30 ms of each process's
    first advance (py-spy, bench/dlr_e2e.py)."""
    connector = _GuardedConnector(limit=max(1, total), limit_per_host=max(1, per_host), ttl_dns_cache=300,
                                  ssl=tls)
    return aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
        # total bounds connect + request + answer, reads included; no sock_read: it re-arms a timer on every
        # read (~30 us CPU per POST of ~250, measured) and a receiver dribbling bytes is cut at total anyway.
        timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=timeout),
        skip_auto_headers=("User-Agent", "Accept-Encoding"), auto_decompress=False,
        max_line_size=MAX_LINE, max_field_size=MAX_LINE, max_headers=MAX_HEADERS, read_bufsize=64 * 1024)
