"""Credit bookkeeping when recipients change status: per-status counters, a refund on the way into a
refunded status, a new charge on the way out of one. Shared by the scheduler and forced statuses."""

from __future__ import annotations

from collections import Counter
from typing import Mapping

from mockserver.core.lifecycle import REFUNDED
from mockserver.core.models import Message
from mockserver.core.store import accounts, messages


def apply_moves(conn, msg: Message, moved: Mapping[tuple[str, str], int]) -> None:
    """Record `moved[(old, new)] = n` recipients for `msg` and settle its held credits in the store."""
    deltas: Counter[str] = Counter()
    refund = recharge = 0
    for (old, new), n in moved.items():
        if old == new or not n:
            continue
        deltas[old] -= n
        deltas[new] += n
        if new in REFUNDED and old not in REFUNDED:
            refund += n
        elif old in REFUNDED and new not in REFUNDED:
            recharge += n  # e.g. a failed recipient forced to delivered: it is billed again
    messages.add_counts(conn, msg.id, dict(deltas))
    held = msg.credits
    if refund and held > 0:
        amount = min(refund * msg.parts, held)
        accounts.refund(conn, msg.account_id, amount)
        held -= amount
    if recharge and not msg.sandbox:
        amount = recharge * msg.parts
        accounts.charge(conn, msg.account_id, amount, allow_negative=True)  # a forced status is never refused
        held += amount
    if held != msg.credits:  # callers re-read the message (table objects built from rows are not mutable)
        messages.set_fields(conn, msg.id, credits=held)
