"""Forcing a recipient's status by hand (control API): counters, refunds, events and the status
webhooks the provider's shaper says that status implies — the same bookkeeping as a scheduler step.

A forced recipient leaves automatic progression (its next step is cleared): forcing 'sent' parks it
at sent until it is forced again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockserver.core.errors import InvalidState, NotFound
from mockserver.core import credits
from mockserver.core.lifecycle import ACTIVE, Status, message_status
from mockserver.core.models import Message, Recipient
from mockserver.core.notify import StatusChange
from mockserver.core.store import accounts, events, messages, recipients

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

#: Statuses a recipient can be forced into ('scheduled' and 'invalid' only exist at submission).
FORCEABLE = frozenset(Status) - {Status.SCHEDULED, Status.INVALID}
#: Final statuses a carrier reports after sending: reaching one from queued passes through 'sent'.
AFTER_SENT = frozenset({Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.BLOCKED, Status.TIMEOUT})
#: Forcing every open recipient of a message at once is refused above this many.
FORCE_ALL_LIMIT = 10_000


@dataclass
class Forced:
    message: Message
    changed: list[dict] = field(default_factory=list)  # {recipient_id, msisdn, from, to, steps}
    webhooks: int = 0


def force(runtime: Runtime, message_id: int, status: str, *, recipient_id: int | None = None,
          to: str | None = None) -> Forced:
    """Force recipients of a message (one by id, those with a number, or every open one) to `status`."""
    if status not in FORCEABLE:
        raise InvalidState(status, f"cannot force status {status!r}; one of {sorted(FORCEABLE)}")
    # The scheduler lock: a tick must not advance these rows from a stale read of the message.
    with runtime.scheduler.exclusive(), runtime.db.write() as conn:
        msg = messages.lock(conn, message_id)  # held: another replica's tick waits for this change
        if msg is None or msg.first_recipient_id is None:
            raise NotFound(f"message {message_id}" if msg is None else f"recipients of message {message_id}")
        targets = _targets(conn, msg, recipient_id, to)
        now = runtime.clock.now()
        result = Forced(msg)
        moved: Counter[tuple[str, str]] = Counter()
        for rec in targets:
            if rec.status == status:
                continue
            steps = [Status.SENT, status] if status in AFTER_SENT and rec.status in (Status.SCHEDULED, Status.QUEUED) \
                else [status]
            recipients.force_status(conn, rec.id, status, now)
            events.add_many(conn, ((msg.id, rec.id, str(s), now, "forced") for s in steps))
            moved[(rec.status, status)] += 1
            result.changed.append({"recipient_id": rec.id, "msisdn": rec.msisdn, "from": rec.status, "to": status,
                                   "steps": [str(s) for s in steps]})
        credits.apply_moves(conn, msg, moved)
        result.webhooks = _webhooks(runtime, conn, msg, result.changed, now)
        _settle_message(conn, msg, now)
        result.message = messages.get(conn, msg.id)
    runtime.changed()
    if result.webhooks:
        runtime.wake()
    return result


def _targets(conn, msg: Message, recipient_id: int | None, to: str | None) -> list[Recipient]:
    lo, hi = msg.first_recipient_id, msg.last_recipient_id
    if recipient_id is not None:
        rec = recipients.get(conn, recipient_id)
        if rec is None or rec.message_id != msg.id:
            raise NotFound(f"recipient {recipient_id} of message {msg.id}")
        return [rec]
    if to is not None:
        found = recipients.by_msisdn(conn, lo, hi, to)
        if not found:
            raise NotFound(f"recipient {to} of message {msg.id}")
        return found
    open_ones = recipients.page(conn, lo, hi, 0, FORCE_ALL_LIMIT + 1, statuses=[str(s) for s in ACTIVE])
    if len(open_ones) > FORCE_ALL_LIMIT:
        raise InvalidState("too_many", f"more than {FORCE_ALL_LIMIT} open recipients; force them by number or id")
    return open_ones


def _webhooks(runtime: Runtime, conn, msg: Message, changed: list[dict], now: float) -> int:
    shaper = runtime.shapers.get(msg.provider)
    account = accounts.get(conn, msg.account_id)
    if not msg.notify or shaper is None or account is None:
        return 0
    count = 0
    for change in changed:
        for step in change["steps"]:
            hooks = shaper.status_webhooks(StatusChange(msg, account, change["recipient_id"], change["msisdn"], step, now))
            count += runtime.enqueue_webhooks(conn, msg.provider, account.id, msg.id, hooks, now)
    return count


def _settle_message(conn, msg: Message, now: float) -> None:
    """Recompute the message's own status; a message with no open recipient has nothing due."""
    status = message_status(messages.counts(conn, msg.id), msg.status)
    fields: dict = {"status": status, "updated_at": now}
    if status == "completed":
        fields.update(next_due_at=None, completed_at=msg.completed_at or now)
    else:
        fields["completed_at"] = None
    messages.set_fields(conn, msg.id, **fields)
