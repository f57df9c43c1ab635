"""Neutral recipient statuses, the path each outcome takes through them, and the outcome rules.

A recipient's fate (its `outcome`) is decided when it is accepted, from the magic-number table or
the seeded random mix; the scheduler then walks it along: scheduled -> queued -> sent -> final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Mapping


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


#: Statuses with a step still ahead (or parked, for 'stuck'): a message holding one is not completed.
ACTIVE = frozenset({Status.SCHEDULED, Status.QUEUED, Status.SENT})
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


def message_status(counts: Mapping[str, int], current: str) -> str:
    """A message's own status from its per-recipient counters.

    'completed' only once no recipient is scheduled, queued or sent: a recipient parked in queued
    (the 'stuck' outcome) has no next step but keeps its message open.
    """
    active = {s: counts.get(s, 0) for s in ACTIVE}
    if not any(active.values()):
        return current if current == "cancelled" else "completed"
    if active[Status.SCHEDULED] and not (active[Status.QUEUED] or active[Status.SENT]):
        return Status.SCHEDULED
    return Status.QUEUED


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


#: Outcomes the seeded random mix may hand out (the rest only make sense as magic numbers).
RANDOM_OUTCOMES = frozenset(Outcome) - {Outcome.DELIVERED}


@dataclass(frozen=True)
class OutcomeRules:
    magic: tuple[MagicRule, ...] = ()
    random_failure_rate: float = 0.0  # shorthand for random_outcomes {"failed": rate}
    seed: int = 0
    review_reject_patterns: tuple[str, ...] = field(default_factory=tuple)
    random_outcomes: tuple[tuple[Outcome, float], ...] = ()  # (outcome, share) pairs, shares sum <= 1

    def mix(self) -> list[tuple[Outcome, int]]:
        """(outcome, cumulative threshold in millionths) for the seeded random mix, in order."""
        pairs = [(Outcome.FAILED, self.random_failure_rate)] if self.random_failure_rate > 0 else []
        pairs += [(o, r) for o, r in self.random_outcomes if r > 0]
        out, total = [], 0
        for outcome, rate in pairs:
            total += int(round(rate * 1_000_000))
            out.append((outcome, min(total, 1_000_000)))
        return out

    def outcome_for(self, msisdn: str, index: int = 0, message_id: int = 0) -> Outcome:
        """Python twin of the SQL CASE used for bulk inserts (kept for single sends and tests)."""
        digits = "".join(ch for ch in msisdn if ch.isdigit())
        for rule in self.magic:
            if digits.endswith(rule.suffix):
                return rule.outcome
        mix = self.mix()
        if mix:
            pick = random_pick(index, self.seed, message_id)
            for outcome, threshold in mix:
                if pick < threshold:
                    return outcome
        return Outcome.DELIVERED


def random_pick(index: int, seed: int, message_id: int = 0) -> int:
    """Deterministic pseudo-random number in [0, 1e6) per (message, index, seed); same formula as the SQL.

    The message id takes part so single-recipient sends (index 0) do not all share one fate; the
    first modulo keeps the product inside SQLite's 64-bit integers.
    """
    return ((message_id * 7919 + index + seed) % 1_000_003) * 2654435761 % 1_000_003 % 1_000_000
