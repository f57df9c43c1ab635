"""The HTTP client that posts one webhook attempt and reports what happened (AttemptResult).

By default the pooled HTTP/1.1 client of h1.py (asyncio protocols + httptools): bench/webhooks.py
measured it at about 2x aiohttp's POSTs/s in the same run, and aiohttp at >10x one shared
httpx.AsyncClient. `client="aiohttp"` keeps aiohttp selectable (the bench compares them); an httpx
transport can be injected instead (tests use httpx.MockTransport to script timeouts).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from mockserver.core.delivery.h1 import H1Pool

EXCERPT = 2000


@dataclass
class AttemptResult:
    status: int | None  # None: no HTTP answer (connection error or timeout)
    excerpt: str = ""
    error: str | None = None
    latency_ms: float = 0.0
    retry_after: float | None = None
    final: bool = False  # no retry whatever the outcome (a URL the sandbox refuses to call)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Poster:
    """POSTs with one pooled client; `per_host` and `total` cap open connections (the lanes cap
    requests in flight, so these only bound the pool)."""

    def __init__(self, timeout: float, total: int, per_host: int,
                 transport: httpx.AsyncBaseTransport | None = None, client: str = "h1") -> None:
        self._timeout = timeout
        self._total, self._per_host = total, per_host
        self._transport = transport
        self._session = None  # aiohttp.ClientSession, only with client="aiohttp"
        self._httpx: httpx.AsyncClient | None = None
        self._h1 = H1Pool(per_host, total)
        self._post = (self._post_httpx if transport is not None
                      else self._post_aiohttp if client == "aiohttp" else self._post_h1)

    async def post(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        started = time.perf_counter()
        result = await self._post(url, body, headers)
        result.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        return result

    async def _post_h1(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        try:
            resp = await self._h1.post(url, body.encode(), headers, self._timeout)
        except TimeoutError as exc:
            return AttemptResult(None, error=f"timeout: {exc.__class__.__name__} after {self._timeout} s")
        except (OSError, ValueError) as exc:
            return AttemptResult(None, error=f"{exc.__class__.__name__}: {exc}")
        return AttemptResult(resp.status, resp.body.decode(errors="replace")[:EXCERPT],
                             retry_after=_retry_after(resp.retry_after))

    async def _post_aiohttp(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        import aiohttp  # only the bench's comparison uses it

        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._total, limit_per_host=self._per_host, ttl_dns_cache=300)
            # No cookie jar: a webhook client keeps no state between receivers.
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  timeout=aiohttp.ClientTimeout(total=self._timeout),
                                                  skip_auto_headers=("User-Agent",))
        try:
            async with self._session.post(url, data=body.encode(), headers=headers, allow_redirects=False) as resp:
                raw = await resp.content.read(EXCERPT * 4)
                return AttemptResult(resp.status, raw.decode(errors="replace")[:EXCERPT],
                                     retry_after=_retry_after(resp.headers.get("Retry-After")))
        except asyncio.TimeoutError as exc:
            return AttemptResult(None, error=f"timeout: {exc.__class__.__name__} after {self._timeout} s")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return AttemptResult(None, error=f"{exc.__class__.__name__}: {exc}")

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
        await self._h1.close()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._httpx is not None:
            await self._httpx.aclose()
            self._httpx = None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form only; HTTP dates are ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
