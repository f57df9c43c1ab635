"""Neutral recipient statuses, the path each outcome takes through them, and the outcome rules.

A recipient's fate (its `outcome`) is decided when it is accepted, from the magic-number table or
the seeded random mix; the scheduler then walks it along: scheduled -> queued -> sent -> final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    EXPIRED = "expired"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    INVALID = "invalid"  # refused at submission (bad number); never queued, never charged


class Outcome(StrEnum):
    DELIVERED = "delivered"
    DELIVERED_SLOW = "delivered_slow"
    FAILED = "failed"  # the submission to the carrier fails: never sent, credits refunded
    REJECTED = "rejected"  # the carrier rejects the number: never sent, credits refunded
    UNDELIVERED = "undelivered"
    EXPIRED = "expired"
    BLOCKED = "blocked"
    TIMEOUT = "timeout"  # no receipt ever comes; reported after the receipt window
    STUCK = "stuck"  # stays queued forever


FINAL = frozenset(
    {Status.DELIVERED, Status.UNDELIVERED, Status.FAILED, Status.EXPIRED, Status.REJECTED,
     Status.BLOCKED, Status.TIMEOUT, Status.CANCELLED, Status.INVALID}
)
#: Outcomes that end before the carrier ever takes the message, so their credits come back.
NEVER_SENT = frozenset({Outcome.FAILED, Outcome.REJECTED})
#: Final statuses whose credits are refunded.
REFUNDED = frozenset({Status.FAILED, Status.REJECTED, Status.CANCELLED, Status.INVALID})


def next_status(status: str, outcome: str) -> str:
    """The status a due recipient moves to. Mirrors the CASE in store.recipients.advance_range."""
    if status == Status.SCHEDULED:
        return Status.QUEUED
    if status == Status.QUEUED:
        if outcome == Outcome.STUCK:
            return Status.QUEUED
        if outcome in NEVER_SENT:
            return outcome
        return Status.SENT
    if status == Status.SENT:
        return Status.DELIVERED if outcome == Outcome.DELIVERED_SLOW else outcome
    return status


@dataclass(frozen=True)
class Timing:
    """Seconds between steps; instant makes every step due at once."""

    queue_delay: float = 1.0
    delivery_delay: float = 3.0
    slow_delivery_delay: float = 120.0
    receipt_timeout: float = 600.0

    @classmethod
    def instant(cls) -> "Timing":
        return cls(0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class MagicRule:
    """A destination whose digits end with `suffix` gets `outcome` (see fixtures/magic_numbers.toml)."""

    suffix: str
    outcome: Outcome
    description: str = ""


@dataclass(frozen=True)
class OutcomeRules:
    magic: tuple[MagicRule, ...] = ()
    random_failure_rate: float = 0.0
    seed: int = 0
    review_reject_patterns: tuple[str, ...] = field(default_factory=tuple)

    def outcome_for(self, msisdn: str, index: int = 0) -> Outcome:
        """Python twin of the SQL CASE used for bulk inserts (kept for single sends and tests)."""
        digits = "".join(ch for ch in msisdn if ch.isdigit())
        for rule in self.magic:
            if digits.endswith(rule.suffix):
                return rule.outcome
        if self.random_failure_rate > 0 and random_pick(index, self.seed) < self.random_failure_rate * 1_000_000:
            return Outcome.FAILED
        return Outcome.DELIVERED


def random_pick(index: int, seed: int) -> int:
    """Deterministic pseudo-random number in [0, 1e6) per (index, seed); same formula as the SQL."""
    return ((index + seed) * 2654435761) % 1_000_003 % 1_000_000
