"""A small pooled keep-alive HTTP/1.1 POST client on asyncio protocols and httptools' C parser: the
webhook hot path. It does only what delivery needs (one POST, status, a body excerpt, Retry-After) and
so costs a fraction of aiohttp's CPU per request (bench/webhooks.py measures both in the same run).

No redirects are followed, no cookies kept, no proxy used, no compression asked for; https verifies
certificates like any default client. Errors surface as OSError subclasses or asyncio.TimeoutError.
A hostile receiver is bounded: the answer's head (MAX_HEAD bytes, MAX_HEADERS lines), interim 1xx answers
(MAX_INTERIM), the body read (MAX_BODY, then the connection is closed); any protocol surprise (101,
garbage, bytes after the answer) is a ProtocolError and the connection is never pooled again.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections import deque
from urllib.parse import unquote, urlsplit

import httptools

#: Seconds between checks for requests past their deadline (a timeout fires up to this much late).
SWEEP = 0.05
#: Bytes of a response body kept (the rest is read and dropped, so the connection stays usable).
KEEP = 8000
#: Limits on what a receiver may send back: beyond them the attempt fails (head) or stops reading (body).
MAX_HEAD, MAX_HEADERS, MAX_INTERIM, MAX_BODY = 64 * 1024, 100, 5, 1024 * 1024


class ProtocolError(OSError):
    """The receiver answered with something that is not HTTP/1.x, or hung up mid-answer."""


class _Conn(asyncio.Protocol):
    """One connection, one request at a time; reusable while the receiver keeps it alive."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future | None = None
        self._got_bytes = False
        self.status = 0
        self.retry_after: str | None = None
        self.body = bytearray()
        self.keep_alive = False
        self._head_bytes = self._headers = self._head_size = self._interim = self._body_bytes = 0
        self._answered = False  # a whole answer came: any further byte is a protocol surprise

    # -- asyncio.Protocol --
    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._got_bytes = True
        if self._answered or self._waiter is None or self._waiter.done():
            self._fail(ProtocolError("bytes after the answer"))  # never reuse a connection out of step
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(ProtocolError("the receiver switched protocols (101): not a webhook answer"))
            return
        except (httptools.HttpParserError, ProtocolError) as exc:
            # httptools wraps what a callback raised (our limits) in a "User callback error".
            cause = exc if isinstance(exc, ProtocolError) else exc.__context__
            self._fail(cause if isinstance(cause, ProtocolError) else ProtocolError(f"bad HTTP answer: {exc}"))
            return
        if not self.status and not self._answered:
            # A head still streaming in (the parser buffers an unfinished header line whole): count it raw.
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD:
                self._fail(ProtocolError(f"answer head over {MAX_HEAD} bytes"))

    def eof_received(self):
        return None  # close the transport: we never write after the receiver stopped

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.status and self._waiter is not None and not self._waiter.done():
            # A body delimited by the end of the connection (no Content-Length, not chunked).
            self._finish(None if exc is None else ProtocolError(str(exc)))
        else:
            self._finish(exc or ProtocolError("connection closed before an answer"))

    # -- httptools callbacks (an exception raised here stops the parser and fails the attempt) --
    def on_message_begin(self) -> None:
        if self._answered:
            raise ProtocolError("bytes after the answer")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers += 1
        self._head_size += len(name) + len(value) + 4
        if self._headers > MAX_HEADERS or self._head_size > MAX_HEAD:
            raise ProtocolError(f"answer head over {MAX_HEADERS} lines or {MAX_HEAD} bytes")
        if name.lower() == b"retry-after":
            self.retry_after = value.decode("latin-1").strip()

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        if self.status == 101:
            raise ProtocolError("the receiver switched protocols (101): not a webhook answer")

    def on_body(self, body: bytes) -> None:
        if len(self.body) < KEEP:
            self.body += body[:KEEP - len(self.body)]
        self._body_bytes += len(body)
        if self._body_bytes > MAX_BODY:  # enough read: answer with what we have, close the connection
            self._answered = True
            self._finish(None)
            self.close()

    def on_message_complete(self) -> None:
        if self._answered:
            return
        if self.status < 200:  # an interim 1xx answer: the real one follows
            self._interim += 1
            if self._interim > MAX_INTERIM:
                raise ProtocolError(f"more than {MAX_INTERIM} interim 1xx answers")
            self.status, self.retry_after, self._headers, self._head_size = 0, None, 0, 0
            return
        self._answered = True
        self.keep_alive = self._parser.should_keep_alive()
        self._finish(None)

    # -- use --
    def _fail(self, exc: ProtocolError) -> None:
        self._finish(exc)
        self.close()

    def _finish(self, exc: BaseException | None) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)

    def start(self, request: bytes) -> asyncio.Future:
        self.status, self.retry_after, self.keep_alive, self._got_bytes = 0, None, False, False
        self.body = bytearray()
        self._head_bytes = self._headers = self._head_size = self._interim = self._body_bytes = 0
        self._answered = False
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self._waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Response:
    __slots__ = ("status", "body", "retry_after")

    def __init__(self, status: int, body: bytes, retry_after: str | None) -> None:
        self.status, self.body, self.retry_after = status, body, retry_after


class H1Pool:
    """Idle keep-alive connections by (scheme, host, port); at most `per_host` idle per receiver and
    `total` idle overall (the delivery lanes cap the requests in flight)."""

    def __init__(self, per_host: int, total: int) -> None:
        self.per_host, self.total = max(1, per_host), max(1, total)
        self._idle: dict[tuple, deque[_Conn]] = {}
        self._idle_count = 0
        self._targets: dict[str, tuple] = {}
        self._ssl: ssl.SSLContext | None = None
        self._waiting: dict[_Conn, float] = {}  # connection awaiting an answer -> its deadline
        self._sweeper: asyncio.Task | None = None

    async def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
        """POST `body`; TimeoutError when no whole answer came within `timeout` seconds (connecting
        included; checked every SWEEP seconds)."""
        key, request = self._request(url, body, headers)
        deadline = asyncio.get_running_loop().time() + timeout
        conn = self._take(key)
        if conn is not None:
            try:
                return await self._exchange(key, conn, request, deadline)
            except (ProtocolError, ConnectionError) as exc:
                # The receiver closed this idle connection as we wrote to it (nothing came back): try
                # once on a new one, as any keep-alive client does.
                if conn._got_bytes or not _closed_under_us(exc):
                    raise
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise TimeoutError()
        async with asyncio.timeout(remaining):
            conn = await self._connect(key)
        return await self._exchange(key, conn, request, deadline)

    async def _exchange(self, key: tuple, conn: _Conn, request: bytes, deadline: float) -> Response:
        # One sweeper for every request in flight instead of a timer per request (asyncio.timeout's
        # timer handles were ~10 % of the delivery loop's CPU, profiled).
        self._waiting[conn] = deadline
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())
        try:
            await conn.start(request)
        except BaseException:
            conn.close()  # timed out or cancelled mid-answer: the connection's state is unknown
            raise
        finally:
            self._waiting.pop(conn, None)
        answer = Response(conn.status, bytes(conn.body), conn.retry_after)
        if conn.keep_alive and not conn.closed:
            self._give_back(key, conn)
        else:
            conn.close()
        return answer

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            await asyncio.sleep(SWEEP)
            now = loop.time()
            for conn, deadline in list(self._waiting.items()):
                if deadline <= now:
                    conn._finish(TimeoutError())

    def _request(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[tuple, bytes]:
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = _target(url)
            if len(self._targets) > 10_000:
                self._targets.clear()
        key, head = target
        lines = [head]
        for name, value in headers.items():
            if "\r" in name or "\n" in name or "\r" in value or "\n" in value or ":" in name:
                raise ValueError(f"header {name[:40]!r} holds a line break or colon")
            lines.append(f"{name}: {value}\r\n")
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        return key, "".join(lines).encode("latin-1", "replace") + body

    def _take(self, key: tuple) -> _Conn | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            self._idle_count -= 1
            if not conn.closed:
                return conn
        return None

    def _give_back(self, key: tuple, conn: _Conn) -> None:
        idle = self._idle.setdefault(key, deque())
        if len(idle) >= self.per_host or self._idle_count >= self.total:
            conn.close()
            return
        idle.append(conn)
        self._idle_count += 1

    async def _connect(self, key: tuple) -> _Conn:
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        _, conn = await loop.create_connection(_Conn, host, port, ssl=context,
                                               server_hostname=host if context else None)
        return conn

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
        self._idle_count = 0


def _target(url: str) -> tuple[tuple, str]:
    """(pool key, request line and Host header) for a URL; ValueError for one we cannot call."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if any(c in path for c in " \r\n"):
        raise ValueError(f"URL path holds a space or line break: {url[:200]!r}")
    netloc = parts.netloc.rpartition("@")[2]  # credentials go in Authorization, never in Host
    head = f"POST {path} HTTP/1.1\r\nHost: {netloc}\r\n"
    if parts.username is not None:  # https://user:pass@host/hook: Basic auth, as other clients do
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        head += f"Authorization: Basic {base64.b64encode(pair).decode()}\r\n"
    return (scheme, parts.hostname, port), head


def _closed_under_us(exc: BaseException) -> bool:
    return isinstance(exc, (ConnectionResetError, BrokenPipeError)) or (
        isinstance(exc, ProtocolError) and "before an answer" in str(exc))
