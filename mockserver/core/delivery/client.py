"""The HTTP client that posts one webhook attempt and reports what happened (AttemptResult).

aiohttp, configured for hostile receivers in session.py (head, line and 1xx limits, no redirects,
cookies, proxy or decompression); here the body read is capped (MAX_BODY, then the connection is
closed, not pooled) and every failure becomes an AttemptResult, never an exception. An httpx transport
can be injected instead (tests use httpx.MockTransport to script answers and timeouts).
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass

import aiohttp
import httpx
from yarl import URL

from mockserver.core.delivery.session import forget_connection, new_session, outgoing_headers, reused_idle

#: Characters of the answer's body kept in the attempt log.
EXCERPT = 2000
#: Bytes of the answer's body read at most; beyond that the connection is closed (not reused).
MAX_BODY = 1024 * 1024
_CHUNK = 64 * 1024
_KEEP = EXCERPT * 4  # bytes kept to decode the excerpt from (UTF-8 takes up to 4 per character)


@dataclass
class AttemptResult:
    status: int | None  # None: no HTTP answer (connection error, timeout, protocol surprise)
    excerpt: str = ""
    error: str | None = None
    latency_ms: float = 0.0
    retry_after: float | None = None
    final: bool = False  # no retry whatever the outcome (a URL or header the sandbox refuses to send)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Poster:
    """POSTs with one pooled client per event loop; `per_host` and `total` cap open connections (the
    lanes cap requests in flight, so these only bound the pool)."""

    def __init__(self, timeout: float, total: int, per_host: int,
                 transport: httpx.AsyncBaseTransport | None = None, tls: ssl.SSLContext | bool = True) -> None:
        self._timeout = timeout
        self._tls = tls  # session.new_session's: True is aiohttp's verified default context
        self._total, self._per_host = total, per_host
        self._transport = transport
        self._session: aiohttp.ClientSession | None = None
        self._httpx: httpx.AsyncClient | None = None

    async def post(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        started = time.perf_counter()
        try:
            sent = outgoing_headers(headers)
        except ValueError as exc:  # the same headers would be refused on every retry
            return AttemptResult(None, error=f"ValueError: {exc}", final=True)
        result = await (self._post_httpx(url, body, sent) if self._transport is not None
                        else self._post_aiohttp(url, body, sent))
        result.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        return result

    async def _post_aiohttp(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        if self._session is None:
            self._session = new_session(self._timeout, self._total, self._per_host, self._tls)
        try:
            target, data = _target(url, headers), body.encode()
            forget_connection()
            try:
                return await self._exchange(target, data, headers)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if isinstance(exc, aiohttp.ClientConnectorError) or not reused_idle():
                    raise
                return await self._exchange(target, data, headers)
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutError subclasses too
            return AttemptResult(None, error=f"timeout: {exc.__class__.__name__} after {self._timeout} s")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return AttemptResult(None, error=_describe(exc))

    async def _exchange(self, target: str, data: bytes, headers: dict[str, str]) -> AttemptResult:
        """One POST and its answer; aiohttp's exceptions pass through to _post_aiohttp."""
        async with self._session.post(target, data=data, headers=headers, allow_redirects=False) as resp:
            if resp.status == 101:
                resp.close()  # the connection now speaks another protocol: never pool it
                return AttemptResult(None, error="the receiver switched protocols (101): not a webhook answer")
            raw = await _read_capped(resp)
            return AttemptResult(resp.status, raw.decode(errors="replace")[:EXCERPT],
                                 retry_after=_retry_after(resp.headers.get("Retry-After")))

    async def _post_httpx(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        if self._httpx is None:
            self._httpx = httpx.AsyncClient(transport=self._transport, timeout=self._timeout, follow_redirects=False)
        try:
            resp = await self._httpx.post(url, content=body.encode(), headers=headers)
            return AttemptResult(resp.status_code, resp.text[:EXCERPT],
                                 retry_after=_retry_after(resp.headers.get("Retry-After")))
        except httpx.TimeoutException as exc:
            return AttemptResult(None, error=f"timeout: {exc.__class__.__name__}")
        except httpx.HTTPError as exc:
            return AttemptResult(None, error=f"{exc.__class__.__name__}: {exc}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._httpx is not None:
            await self._httpx.aclose()
            self._httpx = None


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    """The body's first _KEEP bytes, reading at most MAX_BODY in _CHUNK pieces; past it the connection is
    closed, so the rest never has to be drained. A body cut short raises ClientPayloadError."""
    kept, total = bytearray(), 0
    while chunk := await resp.content.read(_CHUNK):
        if len(kept) < _KEEP:
            kept += chunk[:_KEEP - len(kept)]
        total += len(chunk)
        if total >= MAX_BODY:
            resp.close()
            break
    return bytes(kept)


def _target(url: str, headers: dict[str, str]) -> str:
    """The URL to call. Credentials in it become Basic auth (aiohttp's doing) unless the caller sends its
    own Authorization (a vendor's callback authorization): then they are dropped, so one goes out."""
    if "@" in url and any(name.lower() == "authorization" for name in headers):
        parsed = URL(url)
        if parsed.user is not None or parsed.password is not None:
            return str(parsed.with_user(None))
    return url


def _describe(exc: BaseException) -> str:
    """'ErrorClass: message' of what went wrong underneath (ConnectionRefusedError, SSLCertVerificationError,
    ...), not aiohttp's wrapper around it."""
    if isinstance(exc, aiohttp.ClientResponseError):  # aiohttp's parser refused the head (its "400" is not the receiver's)
        return f"ProtocolError: bad answer head: {exc.message}"[:500]
    cause = getattr(exc, "certificate_error", None) or getattr(exc, "os_error", None) or exc
    return f"{cause.__class__.__name__}: {cause}"[:500]


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form only; HTTP dates are ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
