"""tick(): advance everything due at clock.now(); run(): the background loop for the app lifespan.

Recipients move in set-based UPDATEs over id ranges (a message's recipients are contiguous), so a
2M-recipient send costs a few statements, not 2M ORM objects. Per-recipient webhooks are built only
for messages whose provider asked for them (`notify`); they go to the outbox, and the dispatcher
delivers them on its own (a tick never waits for HTTP). Background ticks measure their lag: how long
after its due time each transition ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from mockserver.core import credits
from mockserver.core.engine import gauges
from mockserver.core.engine import tick_batch
from mockserver.core.lifecycle import ACTIVE, Status, message_status, next_status
from mockserver.core.models import Message
from mockserver.core.notify import Review, StatusChange
from mockserver.core.store import accounts, catalog, events, messages, recipients, tx, writer

log = logging.getLogger("mockserver.scheduler")

CHUNK = 50_000
RETRY_FAILED_AFTER = 5.0  # seconds before a message whose advance raised is tried again
#: Messages advanced in one write transaction, each in its own savepoint: a commit per message was a
#: third of the tick's time (profiled); 32 hold the write lock for a few milliseconds.
TICK_BATCH = 32
#: Due messages read per look (the tick looks again until none is left): four batches.
DUE_PAGE = 4 * tick_batch.BATCH_MESSAGES
#: Tick work between two waits for the sends queued meanwhile: a send waits about this long at most.
LET_SENDS_IN_EVERY = 0.010


@dataclass
class TickResult:
    transitions: int = 0
    webhooks: int = 0
    reviews: int = 0
    lag: float = 0.0  # the most a transition of this tick ran after its due time (background ticks)
    updated: dict = field(default_factory=dict)  # message id -> (provider, account_id) whose recipients moved


class Scheduler:
    def __init__(self, runtime) -> None:  # runtime: mockserver.core.runtime.Runtime
        self.rt = runtime
        # The background loop and clock-advance both tick from worker threads; one at a time, so a
        # message row read before its transaction is never stale.
        self._tick_lock = threading.Lock()
        self.lag = 0.0  # how late the latest background tick ran its latest transitions (seconds)
        self._clock_seen: tuple | None = None  # the clock's state at the last tick (a change is a jump)
        self._let_in_at = 0.0  # when the tick last let queued sends commit (monotonic)
        self.gauges = gauges.Gauges(runtime)  # /_mock/health's webhook figures, read after background ticks

    def tick(self, measure_lag: bool = False) -> TickResult:
        """Apply every transition due now (repeating until nothing more is due). Only background ticks
        measure lag, and not the first one after the clock was advanced or set: everything is then
        "late" by the jump, which is no lag at all (and must not start pushback)."""
        with self._tick_lock:
            clock = self.rt.clock.state()
            jumped, self._clock_seen = clock != self._clock_seen, clock
            measure_lag = measure_lag and not jumped
            result = self._tick(measure_lag)
        if result.transitions or result.reviews:
            self.rt.changed()  # long-polls waiting for a status re-check now
        if result.transitions:
            self.rt.metrics.transitions.inc(result.transitions)
        if result.updated:
            now_status = messages.statuses_of(self.rt.db.conn(), list(result.updated))
            for msg_id, (provider, account_id) in result.updated.items():
                self.rt.feed.publish("message.updated", id=msg_id, provider=provider, account_id=account_id,
                                     status=now_status.get(msg_id))
        if measure_lag:
            self.lag = result.lag
            self.rt.metrics.scheduler_lag.set(result.lag)
            self.rt.backpressure.observe(result.lag)
        return result

    def exclusive(self) -> threading.Lock:
        """The tick lock, for writers outside tick (forced statuses) that touch the same rows."""
        return self._tick_lock

    def _tick(self, measure_lag: bool) -> TickResult:
        result = TickResult()
        now = self.rt.clock.now()
        seen: list[int] | None = None
        while due := messages.due(self.rt.db.conn(), now, DUE_PAGE):
            if (ids := [m.id for m in due]) == seen:  # all held by another replica's tick (SKIP LOCKED): its work
                break
            seen = ids
            small = [m for m in due if tick_batch.is_small(m)]
            for batch in tick_batch.batches(small):
                self._batch(batch, now, result, measure_lag)
            rowwise = [m for m in due if (m.notify or m.track_events) and not tick_batch.is_small(m)]
            for start in range(0, len(rowwise), TICK_BATCH):
                with self.rt.db.write() as conn:  # each message re-read and advanced in its own savepoint
                    for msg in rowwise[start:start + TICK_BATCH]:
                        self._step(msg, now, result, measure_lag, conn)
                self._let_sends_in()
            for msg in due:  # huge sends: their own short transactions per chunk (_jump_message)
                if not (msg.notify or msg.track_events):
                    self._step(msg, now, result, measure_lag, None)
        self._reviews(now, result)
        return result

    def _batch(self, batch: list[Message], now: float, result: TickResult, measure_lag: bool) -> None:
        """Small messages in one transaction of set-based statements (core/engine/tick_batch.py). If it raises
        (a provider's shaper), the batch is undone and its messages step alone, so only the bad one waits."""
        if measure_lag:  # the batch's earliest due time: as late as its latest-run transition can be
            self._observe_lag(min(m.next_due_at for m in batch), result)
        part = TickResult()
        with self.rt.db.write() as conn:
            try:
                with tx.savepoint(conn, "batch"):
                    tick_batch.advance(self.rt, conn, batch, now, part)
            except Exception:
                log.debug("batch of %d messages raised; stepping them one by one", len(batch), exc_info=True)
                for msg in batch:
                    self._step(msg, now, result, False, conn)
            else:
                result.transitions += part.transitions
                result.webhooks += part.webhooks
                result.updated.update(part.updated)
        if part.webhooks:
            self.rt.wake()
        self._let_sends_in()

    def _let_sends_in(self) -> None:
        """Between the tick's transactions, once per LET_SENDS_IN_EVERY of tick work: let the sends queued
        for the group writer commit first (a released lock re-taken at once starved them for the whole
        tick). Not after every batch: waiting that often let the scheduler fall behind at 32 connections
        (bench/scheduler_lag.py: lag median 1.1-1.7 s, vs 0.4 s without waiting)."""
        if time.monotonic() - self._let_in_at >= LET_SENDS_IN_EVERY:
            writer.of(self.rt.db).let_through()
            self._let_in_at = time.monotonic()

    def _observe_lag(self, due_at: float, result: TickResult) -> None:
        result.lag = max(result.lag, self.rt.clock.now() - due_at)
        if result.lag > self.lag:  # readable live while a long tick runs; pushback starts now
            self.lag = result.lag
            self.rt.backpressure.observe(result.lag)

    def _step(self, msg: Message, now: float, result: TickResult, measure_lag: bool, conn) -> None:
        """Advance one message; one that raises (a provider's shaper) is undone alone and retried later."""
        if measure_lag and msg.next_due_at is not None:
            self._observe_lag(msg.next_due_at, result)
        before = result.transitions
        try:
            with tx.savepoint(conn) if conn is not None else contextlib.nullcontext():
                self._advance_message(msg, now, result)
        except Exception:
            log.exception("advancing message %s failed; retrying it in %s s", msg.id, RETRY_FAILED_AFTER)
            with self.rt.db.write() as write:  # joins the batch's transaction when there is one
                messages.set_fields(write, msg.id, next_due_at=now + RETRY_FAILED_AFTER)
            return
        if result.transitions > before:
            result.updated[msg.id] = (msg.provider, msg.account_id)

    def _advance_message(self, msg: Message, now: float, result: TickResult) -> None:
        if not msg.notify and not msg.track_events:
            self._jump_message(msg, now, result)
            return
        lo, hi = msg.first_recipient_id, msg.last_recipient_id
        with self.rt.db.write() as conn:
            msg = messages.claim_due(conn, msg.id, now)  # re-read and held: another replica's tick skips it
            if msg is None:
                return
            account = accounts.get(conn, msg.account_id)
            moved: Counter[tuple[str, str]] = Counter()
            changes: list = []
            next_due: float | None = None
            for start in range(lo, hi + 1, CHUNK):
                end = min(start + CHUNK - 1, hi)
                # A recipient far behind the clock takes several steps; each pass moves every due
                # row forward or parks it (next_at NULL), so this ends within four passes.
                while counts := recipients.due_counts(conn, start, end, now):
                    for status, outcome, n in counts:
                        moved[(status, next_status(status, outcome))] += n
                    # Rows come back whenever a webhook or an event needs them, whatever the size.
                    rows = recipients.advance_range(conn, start, end, now, self.rt.timing_for(msg.provider),
                                                     returning=bool(msg.track_events or msg.notify))
                    changes.extend(r for r in rows if not _parked(r))
                chunk_next = recipients.min_next_at(conn, start, end)
                if chunk_next is not None and (next_due is None or chunk_next < next_due):
                    next_due = chunk_next
            self._apply_counts(conn, msg, moved, now)
            if changes and msg.track_events:
                events.add_many(conn, ((msg.id, r["id"], r["status"], r["updated_at"], "") for r in changes))
            if changes:
                result.transitions += len(changes)
            else:
                result.transitions += sum(n for (old, new), n in moved.items() if old != new)
            if msg.notify and account is not None:
                result.webhooks += self._status_webhooks(conn, msg, account, changes, now)
            # Completion comes from the counters, not from next_due: a 'stuck' recipient is parked
            # (no next step) yet not final, so its message must not read 'completed'.
            status = message_status(messages.counts(conn, msg.id), msg.status)
            messages.set_fields(conn, msg.id, next_due_at=next_due, updated_at=now, status=status,
                                completed_at=now if status == "completed" else None)
        if result.webhooks:
            self.rt.wake()

    def _jump_message(self, msg: Message, now: float, result: TickResult) -> None:
        """Huge sends with no per-recipient events or webhooks: each chunk jumps straight to the state
        due at `now` in one UPDATE (not one pass per step), in its own short transaction so other
        writers interleave; the chunk's counters and refunds are committed with its rows."""
        lo, hi = msg.first_recipient_id, msg.last_recipient_id
        timing = self.rt.timing_for(msg.provider)
        next_due: float | None = None
        for start in range(lo, hi + 1, CHUNK):
            end = min(start + CHUNK - 1, hi)
            with self.rt.db.write() as conn:
                if messages.claim_due(conn, msg.id, now) is None:  # another replica is jumping it: its work
                    return
                present = [s for s, n in messages.counts(conn, msg.id).items() if n and s in ACTIVE]
                moved: Counter[tuple[str, str]] = Counter()
                for old, new, n in recipients.jump_range(conn, start, end, now, timing, present):
                    moved[(old, new)] += n
                if moved:
                    msg = messages.get(conn, msg.id) or msg  # held credits change as chunks refund
                    self._apply_counts(conn, msg, moved, now)
                    if msg.status == Status.SCHEDULED:  # started: a cancel must no longer refund it all
                        messages.set_fields(conn, msg.id, status=Status.QUEUED, updated_at=now)
                    result.transitions += sum(n for (old, new), n in moved.items() if old != new)
                chunk_next = recipients.min_next_at(conn, start, end)
            if chunk_next is not None and (next_due is None or chunk_next < next_due):
                next_due = chunk_next
        with self.rt.db.write() as conn:
            status = message_status(messages.counts(conn, msg.id), msg.status)
            messages.set_fields(conn, msg.id, next_due_at=next_due, updated_at=now, status=status,
                                completed_at=now if status == "completed" else None)

    def _apply_counts(self, conn, msg: Message, moved: Counter, now: float) -> None:
        credits.apply_moves(conn, msg, moved)

    def _status_webhooks(self, conn, msg: Message, account, rows, now: float) -> int:
        shaper = self.rt.shapers.get(msg.provider)
        if shaper is None:
            return 0
        count = 0
        for row in rows:
            change = StatusChange(msg, account, row["id"], row["msisdn"], row["status"], row["updated_at"],
                                  recipients.state_of(row))
            count += self.rt.enqueue_webhooks(conn, msg.provider, account.id, msg.id, shaper.status_webhooks(change), now)
        return count

    def _reviews(self, now: float, result: TickResult) -> None:
        """Pending templates and senders get their verdict once their review time has come."""
        read = self.rt.db.conn()
        if not any(catalog.due_reviews(read, table, now) for table in ("template", "sender")):
            return  # the common case: no write transaction (ticks run after every submission)
        with self.rt.db.write() as conn:
            for table in ("template", "sender"):
                for row in catalog.due_reviews(conn, table, now):
                    status, remark = self.rt.review_verdict(row["content"] if table == "template" else row["name"])
                    fields = {"status": status, "review_at": None, "updated_at": now}
                    if table == "template":
                        fields["audit_remark"] = remark
                        catalog.update_template(conn, row["id"], **fields)
                    else:
                        catalog.update_sender(conn, row["id"], **fields)
                    result.reviews += 1
                    account = accounts.get(conn, row["account_id"])
                    shaper = self.rt.shapers.get(row["provider"])
                    if shaper is None or account is None:
                        continue
                    review = Review(table, row["public_id"], row["name"], status, remark, now)
                    result.webhooks += self.rt.enqueue_webhooks(
                        conn, row["provider"], account.id, None, shaper.review_webhooks(review, account), now)

    async def run(self, stop: asyncio.Event) -> None:
        """Tick in a worker thread every interval (or sooner when woken), until `stop` is set; the
        webhook dispatcher runs beside it as its own task."""
        interval = self.rt.settings.scheduler_interval
        delivery = asyncio.create_task(self.rt.dispatcher.run(stop))
        try:
            while not stop.is_set():
                try:
                    await asyncio.to_thread(self._background_tick)
                    # Also after wake-ups for webhooks queued outside ticks (a send's accept callbacks).
                    self.rt.dispatcher.kick()
                except Exception:  # the loop must survive any single bad row
                    log.exception("scheduler tick failed")
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.rt.wakeup.wait(), timeout=interval)
                self.rt.wakeup.clear()
        finally:
            self.gauges.forget()
            self.rt.dispatcher.kick()
            with contextlib.suppress(asyncio.CancelledError):
                await delivery

    def _background_tick(self) -> None:
        if self.rt.background.held():  # another process is walking the clock (core/engine/pause.py)
            return
        self.tick(True)
        self.gauges.refresh()


def _parked(row) -> bool:
    """A 'stuck' recipient re-entering queued with no next step is not a state change."""
    return row["status"] == Status.QUEUED and row["next_at"] is None
