"""Webhook delivery: one shared httpx.AsyncClient, bounded concurrency, retries with exponential
backoff on connection errors, timeouts, 5xx and 429 (other 4xx are final), every attempt logged.

Rows with the same ordering key go out strictly in id order; a row waiting for a retry holds back
the rows behind it, so a receiver never sees DELIVERED before SENT.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict

import httpx

from mockserver.core.models import Webhook, WebhookAttempt
from mockserver.core.store import webhooks as outbox

RETRYABLE_STATUSES = frozenset({429}) | frozenset(range(500, 600))
EXCERPT = 2000


class Dispatcher:
    def __init__(self, runtime, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.rt = runtime
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._round = asyncio.Lock()

    def _http(self) -> httpx.AsyncClient:
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
        """Deliver every webhook due now; returns how many attempts were made."""
        async with self._round:
            rows = await asyncio.to_thread(outbox.pending, self.rt.db.conn(), 1000)
            now = self.rt.clock.now()
            groups: OrderedDict[str, list[Webhook]] = OrderedDict()
            for row in rows:
                groups.setdefault(row.ordering_key or f"#{row.id}", []).append(row)
            gate = asyncio.Semaphore(self.rt.settings.webhook_concurrency)
            results = await asyncio.gather(*(self._deliver_group(g, now, gate) for g in groups.values()))
            return sum(results)

    async def _deliver_group(self, group: list[Webhook], now: float, gate: asyncio.Semaphore) -> int:
        attempts = 0
        for hook in group:
            if hook.next_attempt_at is not None and hook.next_attempt_at > now:
                break
            async with gate:
                ok = await self._attempt(hook)
            attempts += 1
            if not ok:
                break
        return attempts

    async def _attempt(self, hook: Webhook) -> bool:
        headers = {"Content-Type": "application/json", "User-Agent": "mockserver-webhooks/0.1"}
        headers.update(json.loads(hook.headers or "{}"))
        number = hook.attempts + 1
        started = time.perf_counter()
        status, excerpt, error = None, "", None
        try:
            resp = await self._http().post(hook.url, content=hook.body.encode(), headers=headers)
            status, excerpt = resp.status_code, resp.text[:EXCERPT]
        except httpx.TimeoutException as exc:
            error = f"timeout: {exc.__class__.__name__}"
        except httpx.HTTPError as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        latency = (time.perf_counter() - started) * 1000
        await asyncio.to_thread(self._record, hook, number, headers, status, excerpt, error, latency)
        return status is not None and 200 <= status < 300

    def _record(self, hook: Webhook, number: int, headers: dict, status: int | None, excerpt: str,
                error: str | None, latency: float) -> None:
        now = self.rt.clock.now()
        with self.rt.db.write() as conn:
            outbox.log_attempt(conn, WebhookAttempt(
                webhook_id=hook.id, attempt=number, at=now, url=hook.url, request_headers=json.dumps(headers),
                request_body=hook.body, response_status=status, response_excerpt=excerpt,
                latency_ms=round(latency, 3), error=error,
            ))
            if status is not None and 200 <= status < 300:
                state, next_at = "delivered", None
            elif (status is None or status in RETRYABLE_STATUSES) and number < hook.max_attempts:
                state, next_at = "pending", now + self.rt.settings.webhook_backoff_base * 2 ** (number - 1)
            else:
                state, next_at = "failed", None
            outbox.set_fields(conn, hook.id, status=state, attempts=number, next_attempt_at=next_at,
                              last_status_code=status, last_error=error, updated_at=now)

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
