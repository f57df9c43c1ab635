"""Webhook delivery, apart from the scheduler: a pump claims due outbox rows (with a lease) into
per-host lanes and starts one task per attempt; each attempt is logged the moment it answers.

Retries follow retry.py (exponential backoff on connection errors, timeouts, 5xx and 429).
Only the first pending row of an ordering key is ever claimed, so a receiver never sees DELIVERED
before SENT. Every request carries X-Mock-Delivery-Id (the same on every retry and redelivery) and is
signed by the provider's shaper at the moment it is sent, with wall-clock time. The outbox is the
database: a crash mid-attempt re-sends that attempt once its lease expires, and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import AsyncIterator

import httpx
import orjson

from mockserver.core.delivery import callback_urls
from mockserver.core.delivery.claims import CLAIM_COLUMNS, Claim, Head
from mockserver.core.delivery.client import AttemptResult, Poster
from mockserver.core.delivery import retry
from mockserver.core.delivery.lanes import Lanes
from mockserver.core.delivery.store_jobs import StoreJobs
from mockserver.core.notify import OutgoingWebhook
from mockserver.core.store import webhooks as outbox

USER_AGENT = "mockserver-webhooks/0.1"
DELIVERY_ID_HEADER = "X-Mock-Delivery-Id"
#: Seconds the background pump sleeps when nothing woke it (retries falling due are found this way).
POLL = 0.05
#: Seconds the pump waits after a wake-up before claiming, to claim for several free slots at once.
CLAIM_GATHER = 0.002
#: Seconds between looks while a walk holds the background: a helper's claims and the walker's wait for
#: the helper's attempts (core/engine/pause.py).
HELP_POLL = 0.002
#: Seconds close() waits for store work already running in a worker thread (core/delivery/store_jobs.py).
CLOSE_WAIT = 10.0

_OUTCOMES = {"delivered": "delivered", "failed": "failed"}

log = logging.getLogger("mockserver.webhooks")

#: What probe() returns: the same facts as a logged attempt.
ProbeResult = AttemptResult


class Dispatcher:
    def __init__(self, runtime, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.rt = runtime
        s = runtime.settings
        self._transport = transport
        self.lanes = Lanes(s.webhook_per_host_concurrency, s.webhook_concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: dict[int, asyncio.Task] = {}  # webhook id -> its attempt in flight
        self._records: list[tuple[Claim, dict, dict, asyncio.Future]] = []
        self._writing = False
        self._backlog = False  # the last claim found rows (more are likely due)
        self.attempts = 0  # attempts recorded since start (deliver_due counts from it)
        self._helping = False  # delivering a walk's steps beside the walking process (core/engine/pause.py)
        self._jobs = StoreJobs()  # store work in worker threads: close() waits for what runs
        self._claims = 0  # claim passes running (a helper counts one as in flight: it may lease rows)
        self._rules: tuple = ()
        self._refusals: dict[str, str | None] = {}  # URL -> why it is refused (None: allowed)
        self._counters: dict = {}  # outcome -> its labelled attempts counter

    # -- loop-bound state (tests and benches run several event loops over one runtime) -------------
    def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._http = Poster(self.rt.settings.webhook_timeout, self.rt.settings.webhook_concurrency,
                                self.rt.settings.webhook_per_host_concurrency, self._transport)
            self._claiming = asyncio.Lock()  # one claim pass at a time; quiet() holds it too
            self._kick = asyncio.Event()
            self._tasks.clear()
            self.lanes.reset_gates()

    def kick(self) -> None:
        """Something may be due: let the background pump look now (safe from any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._kick.set)

    async def close(self) -> None:
        """Stop: attempts still in flight are abandoned; their leases expire and they go out again. Returns
        once no store job of ours runs in a worker thread: cancelling an attempt stops its await, not the
        thread writing its record, and the runtime closes the database next (closing a SQLite connection
        under a running statement crashed the process: a segfault in CI)."""
        self._jobs.stop()
        if self._loop is asyncio.get_running_loop():
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._http.close()
        await self._jobs.drained(CLOSE_WAIT)

    # -- the pump -----------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Background loop for the app lifespan: claim and start what is due until `stop` is set."""
        self._bind()
        while not stop.is_set():
            try:
                # A process walking the clock holds this loop still (core/engine/pause.py), unless this
                # one helps it deliver: then it claims at the walk's step, found on the shared clock.
                held = self.rt.background.held()
                self._helping = held and self._lanes_shareable() and self.rt.background.helping()
                if not held or self._helping:
                    await self.pump()
            except Exception:  # the loop must survive any single bad row
                log.exception("webhook pump failed")
            finally:
                self._report_help()
            with contextlib.suppress(asyncio.TimeoutError):
                # A helper looks often: the walker waits for what it leaves (HELP_POLL).
                await asyncio.wait_for(self._kick.wait(), timeout=HELP_POLL if self._helping else POLL)
                # Let a few more answers land first: one claim transaction for several free slots
                # instead of one per answer (measured: the claim per answer halved throughput).
                await asyncio.sleep(CLAIM_GATHER)
            self._kick.clear()

    async def pump(self) -> int:
        """Claim every due row a lane has room for and start its attempt; returns how many started."""
        self._bind()
        started = 0
        async with self._claiming:
            while self.lanes.wanted() > 0:
                self._claims += 1
                self._report_help()  # before the lease: the walker must not see its rows gone and us idle
                try:
                    rows, more = await self._jobs.run(self._claim)
                finally:
                    self._claims -= 1
                for row in rows:
                    self._tasks[row.id] = asyncio.create_task(self._attempt(row))
                started += len(rows)
                if not more:
                    break
        return started

    def _claim(self) -> tuple[list[Claim], bool]:
        """In a worker thread: choose due rows for free lanes and lease them, in one transaction; says
        too whether more may be due (every row asked for was taken)."""
        if self._helping:
            self.rt.clock.sync()  # the walker's step: attempts carry the time they were due
        now, wall = self.rt.clock.now(), time.time()
        limit = min(self.lanes.wanted(), self.rt.settings.webhook_batch)
        full = self.lanes.full_hosts()
        # Look before taking the write lock: the pump polls, and most polls find nothing. Not while
        # the last claim found rows: under a backlog the look only doubled the claim's query.
        if not self._backlog and not outbox.due_rows(self.rt.db.conn(), now, 1, wall=wall, full_hosts=full,
                                                     columns="w.id"):
            return [], False
        # Choose on (id, host) alone, then read whole rows only for those taken: a page of `limit`
        # candidates mostly goes to a lane that fills (profiled: building every candidate's Claim
        # was half of a claim's CPU).
        with self.rt.db.write() as conn:
            heads = [Head(r[0], r[1]) for r in outbox.due_rows(conn, now, limit, wall=wall, full_hosts=full,
                                                                   columns="w.id, w.host")
                     if r[0] not in self._tasks]
            rows = [Claim.of(r) for r in self._lease(conn, self.lanes.take(heads), wall)]
        self._backlog = bool(rows)
        # A page cut short by a full lane: the rest belongs to full lanes, and asking again would scan
        # the whole backlog behind them (the next answer's kick claims again anyway).
        return rows, len(rows) == limit

    def _lease(self, conn, taken: list[tuple], wall: float) -> list:
        """Lease the taken rows, each for webhook_lease plus a timeout (and a second) per wave of its lane
        ahead of it: a row waiting behind a hanging receiver's requests must not come due elsewhere."""
        s = self.rt.settings
        waves: dict[int, list[int]] = {}
        for head, wave in taken:
            waves.setdefault(wave, []).append(head.id)
        rows = [row for wave, ids in waves.items()
                for row in outbox.lease(conn, ids, wall + s.webhook_lease + wave * (s.webhook_timeout + 1.0),
                                        CLAIM_COLUMNS)]
        return sorted(rows, key=lambda row: row[0]) if len(waves) > 1 else rows

    async def deliver_due(self, wait: float | None = None) -> int:
        """Start every attempt due now and wait for their answers, but at most `wait` seconds
        (MOCKSERVER_WEBHOOK_SETTLE_WAIT); returns how many attempts were recorded meanwhile."""
        self._bind()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.rt.settings.webhook_settle_wait if wait is None else wait)
        before = self.attempts
        while True:
            started = await self.pump()
            remaining = deadline - loop.time()
            if (not started and not self._tasks) or remaining <= 0:
                break
            if self._tasks:
                await asyncio.wait(list(self._tasks.values()), timeout=remaining,
                                   return_when=asyncio.FIRST_COMPLETED)
        return self.attempts - before

    async def deliver_step(self, wait: float) -> int:
        """deliver_due for one step of a clock walk (core/engine/timetravel.py): waits at most `wait` s, and
        only for the attempts it starts itself (and those their answers unblock), not for older ones still
        in flight: a hanging receiver holds each step once, for at most `wait`, not every later step."""
        self._bind()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        before, older = self.attempts, set(self._tasks.values())
        while True:
            await self.pump()
            mine = [task for task in self._tasks.values() if task not in older]
            remaining = deadline - loop.time()
            if remaining <= 0 or not mine and not await self._helpers_busy():
                break
            if mine:
                await asyncio.wait(mine, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            else:
                await asyncio.sleep(HELP_POLL)
        return self.attempts - before

    async def _helpers_busy(self) -> bool:
        """A helping process (core/engine/pause.py) still has this step's work: rows nobody has leased yet
        (read first: a helper counts a claim as in flight before it leases), or attempts in its hands."""
        if not (self._lanes_shareable() and self.rt.background.helpers()):
            return False  # no helper: one process, or lanes of one
        now, wall, full = self.rt.clock.now(), time.time(), self.lanes.full_hosts()
        if await self._jobs.run(lambda: outbox.due_rows(self.rt.db.conn(), now, 1, wall=wall, full_hosts=full,
                                                          columns="w.id")):
            return True
        return self.rt.background.help_state()[0] > 0

    def _lanes_shareable(self) -> bool:
        """Helping doubles the requests in flight to a host (each process has its own lanes, as replicas
        do), so lanes of one, which promise one request at a time, stay the walker's alone."""
        return self.rt.settings.webhook_per_host_concurrency > 1

    def _report_help(self) -> None:
        self.rt.background.report_help(len(self._tasks) + self._claims if self._helping else 0, self.attempts)

    @contextlib.asynccontextmanager
    async def quiet(self) -> AsyncIterator[None]:
        """No claim starts and no attempt is in flight while the block runs (reset reuses row ids)."""
        self._bind()
        async with self._claiming:
            if self._tasks:
                await asyncio.wait(list(self._tasks.values()))
            yield

    # -- one attempt --------------------------------------------------------------------------------
    async def _attempt(self, hook: Claim) -> None:
        try:
            try:
                await self.lanes.enter(hook.host)
                try:
                    headers = self._headers(hook)  # signed now, as it goes out
                    sent_at = self.rt.clock.now()
                    refused = await self._refusal(hook.url)
                    result = AttemptResult(status=None, error=f"refused: {refused}", final=True) if refused \
                        else await self._http.post(hook.url, hook.body, headers)
                finally:
                    self.lanes.leave(hook.host)
            finally:
                self.lanes.release(hook.host)
                self._kick.set()  # its lane has room now: claim while this answer is being recorded
            await self._record(hook, headers, result, sent_at)
        except Exception:
            log.exception("webhook %s: attempt failed unexpectedly (its lease will expire)", hook.id)
        finally:
            self._tasks.pop(hook.id, None)
            if self._helping:
                self._report_help()
            self._kick.set()  # its lane has room, and the next row of its key may be due

    def _headers(self, hook: Claim) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   DELIVERY_ID_HEADER: hook.delivery_id}
        if hook.headers and hook.headers != "{}":
            headers.update(orjson.loads(hook.headers))
        if hook.signing:
            headers.update(self._sign(hook.provider, orjson.loads(hook.signing)))
        return headers

    async def _refusal(self, url: str) -> str | None:
        """callback_urls.delivery_refusal, remembered per URL while the allow/deny rules stay the same;
        rules with CIDRs depend on name lookups, so those are asked every time."""
        s = self.rt.settings
        rules = (tuple(s.webhook_allow_hosts), tuple(s.webhook_deny_hosts))
        if rules != self._rules:
            self._rules, self._refusals = rules, {}
        if url in self._refusals:
            return self._refusals[url]
        refused = await callback_urls.delivery_refusal(url, s)
        if not any("/" in p for p in rules[0] + rules[1]):
            if len(self._refusals) > 10_000:
                self._refusals.clear()
            self._refusals[url] = refused
        return refused

    def _sign(self, provider: str, signing: dict) -> dict[str, str]:
        """The provider signs each attempt as it is sent, with wall-clock time (receivers compare the
        signature's timestamp with their own clock, whatever the sandbox clock says)."""
        shaper = self.rt.shapers.get(provider)
        sign = getattr(shaper, "sign_headers", None)
        return sign(signing, time.time()) if sign is not None else {}

    async def _record(self, hook: Claim, headers: dict, result: AttemptResult, sent_at: float) -> None:
        """Queue this attempt's row and wait until it is committed; answers arriving while a commit runs
        share the next one (a transaction per attempt made SQLite's lock the bottleneck), each with
        its own times. Nothing waits for a round: a lone answer is committed at once."""
        now = self.rt.clock.now()
        number = hook.attempts + 1
        state, next_at = self._next_state(hook, number, result, now)
        attempt = outbox.AttemptRow(hook.id, number, now, sent_at, hook.url, orjson.dumps(headers).decode(), hook.body,
                                    result.status, result.excerpt, result.latency_ms, result.error, hook.delivery_id)
        fields = outbox.StateRow(state, number, next_at, result.status, result.error, now)
        done = asyncio.get_running_loop().create_future()
        self._records.append((hook, attempt, fields, done))
        if not self._writing:
            self._writing = True
            try:
                while self._records:
                    batch, self._records = self._records, []
                    await self._commit(batch)
            finally:
                self._writing = False
        await done

    async def _commit(self, batch: list) -> None:
        try:
            kept = await self._jobs.run(self._write, batch)
        except Exception as exc:
            for *_, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for (hook, attempt, fields, fut), ok in zip(batch, kept):
            if ok:
                self.attempts += 1
                try:
                    self._published(hook, attempt, fields.status)
                except Exception:  # the attempt is recorded; a feed or metrics bug must not undo that
                    log.exception("publishing attempt %s of webhook %s failed", attempt.attempt, hook.id)
            if not fut.done():
                fut.set_result(None)
        self._report_help()  # the walker's report counts a helper's attempts (core/engine/pause.py)

    def _write(self, batch: list) -> list[bool]:
        with self.rt.db.write() as conn:
            return outbox.record_many(conn, [(attempt, fields) for _, attempt, fields, _ in batch])

    def _published(self, hook: Claim, attempt: outbox.AttemptRow, state: str) -> None:
        outcome = _OUTCOMES.get(state, "retry")
        counter = self._counters.get(outcome)
        if counter is None:
            counter = self._counters[outcome] = self.rt.metrics.webhook_attempts.labels(outcome)
        counter.inc()
        self.rt.feed.publish("webhook.attempt", webhook_id=hook.id, message_id=hook.message_id,
                             provider=hook.provider, account_id=hook.account_id, kind=hook.kind,
                             attempt=attempt.attempt, status_code=attempt.response_status, error=attempt.error,
                             outcome=outcome, delivery_id=hook.delivery_id)
        if state == "failed":
            log.info("webhook %s to %s gave up after %s attempts", hook.id, hook.url, attempt.attempt)

    def _next_state(self, hook: Claim, number: int, result: AttemptResult, now: float) -> tuple[str, float | None]:
        return retry.next_state(result, number, hook.max_attempts, now, self.rt.settings.webhook_backoff_base)

    # -- outside the outbox -------------------------------------------------------------------------
    async def probe(self, hook: OutgoingWebhook) -> ProbeResult:
        """POST once, now, outside the outbox (callback URL checks); nothing is queued or retried."""
        self._bind()
        if (refused := await callback_urls.delivery_refusal(hook.url, self.rt.settings)) is not None:
            return AttemptResult(status=None, error=f"refused: {refused}", final=True)  # nothing sent
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **hook.headers}
        return await self._http.post(hook.url, hook.body, headers)

    async def redeliver(self, webhook_id: int) -> bool:
        """Queue a webhook again, now, with a fresh attempt budget (same delivery id); then attempt
        it (waiting at most MOCKSERVER_WEBHOOK_SETTLE_WAIT for the answer)."""
        def reset() -> bool:
            with self.rt.db.write() as conn:
                hook = outbox.get(conn, webhook_id)
                if hook is None:
                    return False
                outbox.set_fields(conn, webhook_id, status="pending", next_attempt_at=self.rt.clock.now(),
                                  max_attempts=hook.attempts + self.rt.settings.webhook_max_attempts)
                return True
        found = await self._jobs.run(reset)
        if found:
            await self.deliver_due()
        return found
