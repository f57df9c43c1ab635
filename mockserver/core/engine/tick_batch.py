"""One scheduler step for many small messages at once: a handful of set-based statements per batch
instead of ~12 per message (scheduler._advance_message, still the path for big messages and the fallback).

Why: at a few hundred sends/s the per-message path was a third of the server's CPU (bench/http_sends.py:
1.11 vs 0.69 ms per send with the scheduler on vs off) and held the GIL and the write lock in long
stretches, which put the sends' p99 at 50-70 ms. The outcome is the same as stepping each message alone:
the same UPDATE (recipients.advance_ranges is advance_range over several id ranges), the same counters,
refunds, events and webhooks, one row per recipient change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from mockserver.core import credits
from mockserver.core.lifecycle import Status, message_status, next_status
from mockserver.core.models import Message
from mockserver.core.notify import StatusChange
from mockserver.core.store import accounts, events, messages, recipients
from mockserver.core.store import webhooks as outbox

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime
    from mockserver.core.engine.scheduler import TickResult

#: A message joins a batch when it has at most this many recipients (bigger ones step alone).
SMALL_MESSAGE = 64
#: Most recipients in one batch.
BATCH_RECIPIENTS = 512
#: Most messages in one batch (the statements carry one id range per message). A message step costs ~60-85 us
#: batched (bench/tick_cost.py), so a full batch holds the write lock ~8-11 ms. Alone in a process, bigger
#: batches were no cheaper per message than 32; beside other writers they are, since each batch meets them
#: at the write lock once. The engine process's claims and attempt records, then the API process's group
#: commits, met the tick's 35 batches per 1,000 messages at the cross-process lock:
#: - an advance (bench/dlr_e2e.py): the tick waited for that lock a third of its time with batches of 32, an
#:   eighth with 128 (py-spy), and the DLRs arrived 10-15 % sooner (alternated runs);
#: - under bench/mixed_load.py's 32 clients the background tick fell ~1 s behind with batches of 32, and
#:   back-pressure refused 13,313 sends in 30 s; with 128 the lag stayed under 0.3 s and nothing was refused.
#: A send arriving meanwhile waits for one batch: http_sends's p99 rose ~1 ms (15-16 -> 16-17 ms).
BATCH_MESSAGES = 128


def is_small(msg: Message) -> bool:
    """Stepped in a batch: tracked (events or webhooks per recipient) and at most SMALL_MESSAGE recipients."""
    return (msg.notify or msg.track_events) and size(msg) <= SMALL_MESSAGE


def size(msg: Message) -> int:
    if msg.first_recipient_id is None:
        return 0
    return msg.last_recipient_id - msg.first_recipient_id + 1


def batches(msgs: list[Message]) -> list[list[Message]]:
    """Consecutive groups within BATCH_MESSAGES and BATCH_RECIPIENTS."""
    out: list[list[Message]] = []
    current: list[Message] = []
    rows = 0
    for msg in msgs:
        n = max(size(msg), 1)
        if current and (len(current) >= BATCH_MESSAGES or rows + n > BATCH_RECIPIENTS):
            out.append(current)
            current, rows = [], 0
        current.append(msg)
        rows += n
    if current:
        out.append(current)
    return out


def advance(rt: Runtime, conn, msgs: list[Message], now: float, result: TickResult) -> None:
    """Step every message of `msgs` still due at `now`, inside the caller's write transaction. Raises
    whatever a provider's shaper raises (the caller undoes the batch and steps its messages alone)."""
    fresh = messages.due_of(conn, [m.id for m in msgs], now)  # the rows read before this transaction may be stale
    if not fresh:
        return
    moved: dict[int, Counter] = defaultdict(Counter)
    changes: dict[int, list] = defaultdict(list)
    by_timing: dict[object, list[tuple[int, int]]] = defaultdict(list)
    for msg in fresh:
        if msg.first_recipient_id is not None:
            by_timing[rt.timing_for(msg.provider)].append((msg.first_recipient_id, msg.last_recipient_id))
    for timing, ranges in by_timing.items():
        _step_ranges(conn, ranges, now, timing, moved, changes)
    messages.add_counts_many(conn, ((mid, status, n) for mid, counter in moved.items()
                                    for status, n in credits.count_deltas(counter).items()))
    tracked: list = []
    for msg in fresh:
        credits.settle(conn, msg, moved.get(msg.id, {}))
        rows = changes.get(msg.id, ())
        if msg.track_events:
            tracked.extend((msg.id, r["id"], r["status"], r["updated_at"], "") for r in rows)
        n = len(rows) or sum(c for (old, new), c in moved.get(msg.id, {}).items() if old != new)
        result.transitions += n
        if n:
            result.updated[msg.id] = (msg.provider, msg.account_id)
    if tracked:
        events.add_many(conn, tracked)
    result.webhooks += _webhooks(rt, conn, fresh, changes, now)
    _finish(conn, fresh, now)


def _step_ranges(conn, ranges: list[tuple[int, int]], now: float, timing, moved: dict, changes: dict) -> None:
    """Move the due recipients of `ranges` step by step until none is due (a recipient far behind the
    clock takes several steps; each pass moves or parks every due row, so this ends within four)."""
    while counts := recipients.due_counts_in(conn, ranges, now):
        for mid, status, outcome, n in counts:
            moved[mid][(status, next_status(status, outcome))] += n
        again = False
        for row in recipients.advance_ranges(conn, ranges, now, timing):
            if not _parked(row):
                changes[row["message_id"]].append(row)
            again = again or (row["next_at"] is not None and row["next_at"] <= now)
        if not again:
            return


def _webhooks(rt: Runtime, conn, fresh: list[Message], changes: dict, now: float) -> int:
    """Queue the status webhooks of the batch's changes: every row in one executemany."""
    queued: list[dict] = []
    owners: dict[str, object] = {}
    for msg in fresh:
        rows = changes.get(msg.id)
        if not (msg.notify and rows):
            continue
        shaper = rt.shapers.get(msg.provider)
        if msg.account_id not in owners:
            owners[msg.account_id] = accounts.get(conn, msg.account_id)
        account = owners[msg.account_id]
        if shaper is None or account is None:
            continue
        for row in rows:  # msg is the plain row: shapers only read its attributes (StatusChange.message)
            change = StatusChange(msg, account, row["id"], row["msisdn"], row["status"], row["updated_at"],
                                  recipients.state_of(row))
            queued += rt.webhook_rows(msg.provider, account.id, msg.id, shaper.status_webhooks(change), now)
    return outbox.enqueue_many(conn, queued)


def _finish(conn, fresh: list[Message], now: float) -> None:
    """Each message's status from its counters and its next due time from its recipients. Completion
    comes from the counters: a 'stuck' recipient is parked (no next step) yet not final."""
    ids = [m.id for m in fresh]
    counts = messages.counts_of(conn, ids)
    ranges = [(m.first_recipient_id, m.last_recipient_id) for m in fresh if m.first_recipient_id is not None]
    next_due = recipients.min_next_at_in(conn, ranges) if ranges else {}
    rows = []
    for msg in fresh:
        status = message_status(counts[msg.id], msg.status)
        rows.append((next_due.get(msg.id), now, status, now if status == "completed" else None, msg.id))
    messages.set_progress(conn, rows)


def _parked(row) -> bool:
    """A 'stuck' recipient re-entering queued with no next step is not a state change."""
    return row["status"] == Status.QUEUED and row["next_at"] is None
