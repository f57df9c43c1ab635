"""Webhook delivery: one shared httpx.AsyncClient, bounded concurrency, retries with exponential
backoff on connection errors, timeouts, 5xx and 429 (other 4xx are final), every attempt logged.

Rows with the same ordering key go out strictly in id order; a row waiting for a retry holds back
the rows behind it, so a receiver never sees DELIVERED before SENT. The outbox is the database, so
whatever is still pending when the process stops goes out after the next start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx

from mockserver.core import callback_urls
from mockserver.core.models import Webhook, WebhookAttempt
from mockserver.core.notify import OutgoingWebhook
from mockserver.core.store import webhooks as outbox

RETRYABLE_STATUSES = frozenset({429}) | frozenset(range(500, 600))
EXCERPT = 2000
#: A Retry-After longer than this is not honoured (a sandbox should not park a webhook for hours).
MAX_RETRY_AFTER = 3600.0
#: Longest wait between retries. Each redelivery extends the attempt budget, so the attempt number (the
#: backoff exponent) keeps growing; uncapped, a few dozen redeliveries parked a webhook past year 9999.
MAX_BACKOFF = 3600.0
USER_AGENT = "mockserver-webhooks/0.1"

log = logging.getLogger("mockserver.webhooks")



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


#: What probe() returns: the same facts as a logged attempt.
ProbeResult = AttemptResult


class Dispatcher:
    def __init__(self, runtime, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.rt = runtime
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._round = asyncio.Lock()

    def _http(self) -> httpx.AsyncClient:
        # One client for every webhook: a client per request measured 25x slower (performance notes).
        if self._client is None:
            s = self.rt.settings
            self._client = httpx.AsyncClient(
                transport=self._transport, timeout=s.webhook_timeout, follow_redirects=False,
                limits=httpx.Limits(max_connections=s.webhook_concurrency * 2),
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def deliver_due(self) -> int:
        """Deliver every webhook due now (one batch); returns how many attempts were made."""
        async with self._round:
            now = self.rt.clock.now()
            rows = await asyncio.to_thread(outbox.due_batch, self.rt.db.conn(), now, self.rt.settings.webhook_batch)
            groups: OrderedDict[str, list[Webhook]] = OrderedDict()
            for row in rows:
                groups.setdefault(row.ordering_key or f"#{row.id}", []).append(row)
            gate = asyncio.Semaphore(self.rt.settings.webhook_concurrency)
            done: list[tuple[Webhook, AttemptResult]] = []
            await asyncio.gather(*(self._deliver_group(g, gate, done) for g in groups.values()))
            if done:
                # One transaction per round: a write per attempt from many threads made SQLite's
                # busy handler the bottleneck (concurrency 10 ran slower than 1; bench/webhooks.py).
                await asyncio.to_thread(self._record_all, done)
            return len(done)

    async def _deliver_group(self, group: list[Webhook], gate: asyncio.Semaphore,
                             done: list[tuple[Webhook, AttemptResult]]) -> None:
        for hook in group:
            async with gate:
                result = await self._post(hook.url, hook.body, json.loads(hook.headers or "{}"))
            done.append((hook, result))
            if not result.ok:  # the rest of this key waits behind the retry
                break

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        headers.update(extra)
        return headers

    async def _post(self, url: str, body: str, extra_headers: dict[str, str]) -> AttemptResult:
        if (refused := await callback_urls.delivery_refusal(url, self.rt.settings)) is not None:
            return AttemptResult(status=None, error=f"refused: {refused}", final=True)  # nothing sent
        headers = self._headers(extra_headers)
        started = time.perf_counter()
        result = AttemptResult(status=None)
        try:
            resp = await self._http().post(url, content=body.encode(), headers=headers)
            result.status, result.excerpt = resp.status_code, resp.text[:EXCERPT]
            result.retry_after = _retry_after(resp.headers.get("Retry-After"))
        except httpx.TimeoutException as exc:
            result.error = f"timeout: {exc.__class__.__name__}"
        except httpx.HTTPError as exc:
            result.error = f"{exc.__class__.__name__}: {exc}"
        result.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        return result

    def _record_all(self, done: list[tuple[Webhook, AttemptResult]]) -> None:
        now = self.rt.clock.now()
        with self.rt.db.write() as conn:
            for hook, result in done:
                self._record(conn, hook, result, now)

    def _record(self, conn, hook: Webhook, result: AttemptResult, now: float) -> None:
        number = hook.attempts + 1
        outbox.log_attempt(conn, WebhookAttempt(
            webhook_id=hook.id, attempt=number, at=now, url=hook.url,
            request_headers=json.dumps(self._headers(json.loads(hook.headers or "{}"))),
            request_body=hook.body, response_status=result.status, response_excerpt=result.excerpt,
            latency_ms=result.latency_ms, error=result.error,
        ))
        state, next_at = self._next_state(hook, number, result, now)
        outbox.set_fields(conn, hook.id, status=state, attempts=number, next_attempt_at=next_at,
                          last_status_code=result.status, last_error=result.error, updated_at=now)
        if state == "failed":
            log.info("webhook %s to %s gave up after %s attempts", hook.id, hook.url, number)

    def _next_state(self, hook: Webhook, number: int, result: AttemptResult, now: float) -> tuple[str, float | None]:
        if result.ok:
            return "delivered", None
        retryable = not result.final and (result.status is None or result.status in RETRYABLE_STATUSES)
        if not retryable or number >= hook.max_attempts:
            return "failed", None
        delay = min(self.rt.settings.webhook_backoff_base * 2.0 ** min(number - 1, 64), MAX_BACKOFF)
        if result.retry_after is not None:
            delay = max(delay, min(result.retry_after, MAX_RETRY_AFTER))
        return "pending", now + delay

    def quiet(self) -> asyncio.Lock:
        """Held while a delivery round runs; hold it to make sure no attempt is in flight."""
        return self._round

    async def probe(self, hook: OutgoingWebhook) -> ProbeResult:
        """POST once, now, outside the outbox (callback URL checks); nothing is queued or retried."""
        return await self._post(hook.url, hook.body, dict(hook.headers))

    async def redeliver(self, webhook_id: int) -> bool:
        """Queue a delivered or failed webhook again, now, with a fresh attempt budget."""
        def reset() -> bool:
            with self.rt.db.write() as conn:
                hook = outbox.get(conn, webhook_id)
                if hook is None:
                    return False
                outbox.set_fields(conn, webhook_id, status="pending", next_attempt_at=self.rt.clock.now(),
                                  max_attempts=hook.attempts + self.rt.settings.webhook_max_attempts)
                return True
        found = await asyncio.to_thread(reset)
        if found:
            await self.deliver_due()
        return found


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form only; HTTP dates are ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
