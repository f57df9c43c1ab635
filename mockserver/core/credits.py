"""Credit bookkeeping when recipients change status: per-status counters, a refund on the way into a
refunded status, a new charge on the way out of one. Shared by the scheduler and forced statuses."""

from __future__ import annotations

import json
from collections import Counter
from typing import Mapping

from mockserver.core.lifecycle import REFUNDED, Status
from mockserver.core.models import Message
from mockserver.core.store import accounts, messages


def apply_moves(conn, msg: Message, moved: Mapping[tuple[str, str], int]) -> None:
    """Record `moved[(old, new)] = n` recipients for `msg` and settle its held credits in the store."""
    messages.add_counts(conn, msg.id, dict(count_deltas(moved)))
    settle(conn, msg, moved)


def count_deltas(moved: Mapping[tuple[str, str], int]) -> Counter[str]:
    """status -> change of its counter for these moves (the scheduler's batch writes many at once)."""
    deltas: Counter[str] = Counter()
    for (old, new), n in moved.items():
        if old != new and n:
            deltas[old] -= n
            deltas[new] += n
    return deltas


def settle(conn, msg: Message, moved: Mapping[tuple[str, str], int]) -> None:
    """The credit side of `moved` (refunds, charges at dispatch); the counters are the caller's."""
    refund = recharge = 0
    at_dispatch = _billed_at_dispatch(msg)
    for (old, new), n in moved.items():
        if old == new or not n:
            continue
        if at_dispatch and old == Status.SCHEDULED:
            recharge += 0 if new in REFUNDED else n  # taken as it goes out; a failed dispatch takes nothing
        elif new in REFUNDED and old not in REFUNDED:
            refund += n
        elif old in REFUNDED and new not in REFUNDED:
            recharge += n  # e.g. a failed recipient forced to delivered: it is billed again
    if not (refund or recharge or at_dispatch):
        return  # the common case (every recipient delivered): nothing to read or write
    held = msg.credits
    if at_dispatch:  # charged after the caller read `msg`: the store has the credits held now
        stored = messages.get(conn, msg.id)
        held = stored.credits if stored is not None else held
    if recharge and not msg.sandbox:  # first: one batch may dispatch a recipient and fail it at once
        amount = recharge * msg.parts
        accounts.charge(conn, msg.account_id, amount, allow_negative=True)  # a forced status is never refused
        held += amount
    if refund and held > 0:
        amount = min(refund * msg.parts, held)
        accounts.refund(conn, msg.account_id, amount)
        held -= amount
    if held != msg.credits or at_dispatch:  # callers re-read the message (table objects built from rows are not mutable)
        messages.set_fields(conn, msg.id, credits=held)


def _billed_at_dispatch(msg: Message) -> bool:
    """True for a scheduled send whose credits are taken when it goes out (sending.Submission)."""
    return '"charge_at_dispatch"' in (msg.meta or "") and bool(json.loads(msg.meta).get("charge_at_dispatch"))
