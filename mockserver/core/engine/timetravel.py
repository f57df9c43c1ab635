"""Time travel: an advance of N seconds is N seconds of the world, in order.

The clock is held still (frozen) and walked from one due time to the next inside the window: at each,
the transitions then due run and the webhooks then due are attempted for real, their answers deciding
the next retry, which is found by the next step when it still falls inside the window. So every attempt
and every payload carries the sandbox time at which it was due, and a receiver that always fails gets
the whole retry ladder in one advance. Bounds, all wall-clock: a step waits for the answers to its own
attempts at most MOCKSERVER_WEBHOOK_SETTLE_WAIT (an attempt still unanswered then is recorded when it
answers or times out, at the clock's time then), and the whole walk at most MOCKSERVER_ADVANCE_MAX_WAIT:
past it the clock jumps to the end of the window and what is left is delivered afterwards.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from mockserver.core.store import timeline

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime


@dataclass
class AdvanceReport:
    """What an advance did: transitions applied, webhook attempts answered, webhooks left pending."""

    transitions: int = 0
    webhook_attempts: int = 0
    still_pending: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


async def advance(rt: Runtime, seconds: float, budget: float) -> AdvanceReport:
    """Walk the clock `seconds` forward through every due time in between; answers once all of it has
    settled or `budget` wall seconds have passed. Time stands still while the walk runs (a running clock
    is resumed at the end of the window), so an advance moves the sandbox by exactly `seconds`."""
    return await walk(rt, lambda start: start + seconds, budget)


async def walk(rt: Runtime, target_of, budget: float) -> AdvanceReport:
    """advance() towards `target_of(start)`, the end of the window given the clock's time at the start."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    report = AdvanceReport()
    # The background loops (this process's, or the engine process's) wait while this walk runs
    # (core/engine/pause.py); the hold outlives the budget by the settle wait of a last step, and lapses
    # by itself if this process dies meanwhile.
    rt.background.hold(time.time() + budget + rt.settings.webhook_settle_wait + 1.0)
    was_frozen = rt.clock.frozen
    helped = rt.background.help_state()[1]  # attempts another process records for this walk (pause.py)
    try:
        now = await asyncio.to_thread(rt.clock.freeze)
        target = max(target_of(now), now)
        await _walk_held(rt, report, now, target, deadline, was_frozen)
        report.webhook_attempts += max(0, rt.background.help_state()[1] - helped)
        return report
    finally:
        rt.background.release()


async def _walk_held(rt: Runtime, report: AdvanceReport, now: float, target: float, deadline: float,
                     was_frozen: bool) -> AdvanceReport:
    loop = asyncio.get_running_loop()
    try:
        while True:
            await _settle(rt, report, deadline - loop.time())
            if loop.time() >= deadline:
                break
            step = await asyncio.to_thread(_next_due, rt, now, target)
            if step is None:
                break
            now = await asyncio.to_thread(rt.clock.set, step)
        if now < target:
            await asyncio.to_thread(rt.clock.set, target)
            await _settle(rt, report, deadline - loop.time())
    finally:
        if not was_frozen:
            await asyncio.to_thread(rt.clock.resume)
    report.still_pending = await asyncio.to_thread(lambda: timeline.pending_webhooks(rt.db.conn()))
    return report


async def _settle(rt: Runtime, report: AdvanceReport, remaining: float) -> None:
    """Run what is due at the clock's now, then attempt its webhooks, waiting for their answers at most
    MOCKSERVER_WEBHOOK_SETTLE_WAIT (and never past the walk's budget); transitions always run."""
    result = await asyncio.to_thread(rt.scheduler.tick)
    report.transitions += result.transitions
    wait = max(min(rt.settings.webhook_settle_wait, remaining), 0.0)
    report.webhook_attempts += await rt.dispatcher.deliver_step(wait)


def _next_due(rt: Runtime, after: float, until: float) -> float | None:
    return timeline.next_due(rt.db.conn(), after, until)
