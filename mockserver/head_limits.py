"""uvicorn's httptools protocol with the request-head limits httptools lacks (limits.http_protocol picks
it): head bytes and header lines (431, counted on the head alone, never on a body in the same read),
chunked trailers held to the same limits (and kept out of the app's headers), and a head that must
arrive within a timeout (a half-sent head was held for as long as the client liked)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_431 = b"Request header fields too large"


class HeadTooLarge(Exception):
    """Raised inside a parser callback: the parser stops, uvicorn answers via send_400_response."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """Kept cheap (measured per request): no per-header hook; the head is only summed when the bytes
    received for this request could exceed the limit at all. Subclassed with the limits filled in."""

    max_header_bytes, max_header_count, head_timeout = 64 * 1024, 100, 10.0
    _head_pending, _raw_head, _chunk, _over, _done, _head_lines = True, 0, 0, False, 0, 0
    _after_chunk_head, _body_in_read, _trailer_raw = False, False, 0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._head_pending = False
        self._disarm_head_timer()
        headers = self.headers
        self._head_lines = len(headers)
        if len(headers) > self.max_header_count or (
                self._raw_head + self._chunk > self.max_header_bytes
                and len(self.url) + sum(len(n) + len(v) + 4 for n, v in headers) > self.max_header_bytes):
            self._over = True
            raise HeadTooLarge
        super().on_headers_complete()

    def on_chunk_header(self) -> None:
        self._after_chunk_head = True  # after the last (empty) chunk, trailer lines follow

    def on_body(self, body: bytes) -> None:
        self._after_chunk_head, self._body_in_read = False, True
        super().on_body(body)

    def on_message_complete(self) -> None:
        if len(self.headers) > self._head_lines:
            del self.headers[self._head_lines:]  # trailers: never headers the app reads
        super().on_message_complete()
        self._head_pending, self._raw_head, self._after_chunk_head, self._trailer_raw = True, 0, False, 0
        self._done += 1

    def data_received(self, data: bytes) -> None:
        done, self._chunk, self._body_in_read = self._done, len(data), False
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._head_pending:
            if self._done != done:  # a request ended in this read: a pipelined head counts from the next one
                self._raw_head = 0
                return
            # A head still incomplete after this chunk: count raw bytes, so a huge header line is refused
            # while it streams in, not once the parser has buffered all of it.
            self._raw_head += len(data)
            if self._raw_head > self.max_header_bytes:
                self._too_large()
            elif self._head_timer is None:
                self._arm_head_timer()
        elif self._after_chunk_head:
            self._check_trailers(len(data))

    def _check_trailers(self, size: int) -> None:
        if not self._body_in_read:  # only trailer bytes in this read (a chunk-size line at most)
            self._trailer_raw += size
        lines = len(self.headers) - self._head_lines
        parsed = sum(len(n) + len(v) + 4 for n, v in self.headers[self._head_lines:]) if lines else 0
        if lines + self._head_lines > self.max_header_count or self._trailer_raw + parsed > self.max_header_bytes:
            self._too_large()

    def _too_large(self) -> None:
        self._over = True
        self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        if not self._over:
            return super().send_400_response(msg)
        self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; "
                             b"charset=utf-8\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s"
                             % (len(_431), _431))
        self.transport.close()

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._head_pending and not self.transport.is_closing() and (self._raw_head or not self._done):
            self.transport.close()  # a head that did not come whole in time: drop the connection
