"""The retry rule of webhook delivery: which answers are worth another attempt, and when it comes.

Retries back off exponentially on connection errors, timeouts, 5xx and 429; other 4xx answers and
refusals are final. A Retry-After longer than the backoff is honoured up to MAX_RETRY_AFTER.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.core.delivery.client import AttemptResult

#: Attempts a webhook gets before it is marked failed (MOCKSERVER_WEBHOOK_MAX_ATTEMPTS; the outbox column's default).
DEFAULT_MAX_ATTEMPTS = 5
RETRYABLE_STATUSES = frozenset({429}) | frozenset(range(500, 600))
#: A Retry-After longer than this is not honoured (a sandbox should not park a webhook for hours).
MAX_RETRY_AFTER = 3600.0
#: Longest wait between retries. Each redelivery extends the attempt budget, so the attempt number (the
#: backoff exponent) keeps growing; uncapped, a few dozen redeliveries parked a webhook past year 9999.
MAX_BACKOFF = 3600.0


def backoff(number: int, base: float) -> float:
    """Seconds to wait after attempt `number` (1-based) failed: base, 2 x base, 4 x base, ... capped."""
    return min(base * 2.0 ** min(number - 1, 64), MAX_BACKOFF)


def next_state(result: AttemptResult, number: int, max_attempts: int, now: float,
               base: float) -> tuple[str, float | None]:
    """(state, next attempt time) after attempt `number` answered `result` at sandbox time `now`."""
    if result.ok:
        return "delivered", None
    retryable = not result.final and (result.status is None or result.status in RETRYABLE_STATUSES)
    if not retryable or number >= max_attempts:
        return "failed", None
    delay = backoff(number, base)
    if result.retry_after is not None:
        delay = max(delay, min(result.retry_after, MAX_RETRY_AFTER))
    return "pending", now + delay
