"""Accepting a submission: count parts, take credits and store message + recipients atomically.

Providers validate their wire format first, then call `submit`; nothing is stored when it raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from mockserver.core import callback_urls, segments
from mockserver.core.errors import InsufficientCredits
from mockserver.core.lifecycle import Status
from mockserver.core.models import Message
from mockserver.core.store import accounts, events, messages, recipients
from mockserver.core.store.messages import Inserted

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

#: The message meta key that marks a send billed at dispatch (read by credits.apply_moves).
DISPATCH_CHARGE = "charge_at_dispatch"

#: Above this many recipients a send records message-level events only (not one per recipient).
TRACK_EVENTS_LIMIT = 10_000


@dataclass
class Submission:
    provider: str
    account_id: str
    public_id: str
    body: str
    numbers: Sequence[str] | str  # valid destinations, or a JSON array text of them
    invalid: Sequence[str] | str = ()  # destinations refused at submission (or their JSON array text): stored, never charged
    channel: str = "sms"
    sender: str | None = None
    scheduled_at: float | None = None
    callback_url: str | None = None
    notify: bool = False
    sandbox: bool = False
    charge: bool = True
    allow_negative: bool = False
    meta: dict = field(default_factory=dict)
    count: int | None = None  # number of valid destinations, when `numbers` is JSON text
    parts_override: int | None = None
    #: A scheduled send takes its credits when it goes out, not when accepted (the balance is only checked
    #: at acceptance); a cancel or a failed dispatch then takes nothing. credits.apply_moves charges it.
    charge_at_dispatch: bool = False
    #: Runs inside the submit transaction with (conn, Inserted): provider bookkeeping that must be
    #: atomic with the message (e.g. per-destination ids) without a second write transaction.
    after_insert: Callable[[Any, Inserted], None] | None = None


def submit(runtime: Runtime, sub: Submission) -> Inserted:
    """Store the submission; raises InsufficientCredits or InvalidCallbackUrl before anything is written."""
    callback_urls.check(sub.callback_url, runtime.settings)
    now = runtime.clock.now()
    seg = segments.segment(sub.body)
    parts = sub.parts_override or seg.parts
    numbers_json = sub.numbers if isinstance(sub.numbers, str) else json.dumps(list(sub.numbers))
    count = sub.count if sub.count is not None else (len(sub.numbers) if not isinstance(sub.numbers, str) else 0)
    cost = 0 if (sub.sandbox or not sub.charge) else parts * count
    scheduled = sub.scheduled_at is not None and sub.scheduled_at > now
    meta = sub.meta
    check_only = scheduled and sub.charge_at_dispatch and cost > 0
    if check_only:
        meta = {**sub.meta, DISPATCH_CHARGE: True}
    msg = Message(
        public_id=sub.public_id, provider=sub.provider, account_id=sub.account_id, channel=sub.channel,
        sender=sub.sender, body=sub.body, encoding=str(seg.encoding), parts=parts, credits=cost,
        status=Status.SCHEDULED if scheduled else Status.QUEUED, scheduled_at=sub.scheduled_at,
        callback_url=sub.callback_url, notify=sub.notify, track_events=count <= TRACK_EVENTS_LIMIT,
        sandbox=sub.sandbox, meta=json.dumps(meta), created_at=now, updated_at=now,
    )
    first_due = sub.scheduled_at if scheduled else now + runtime.timing_for(sub.provider).queue_delay
    initial = Status.SCHEDULED if scheduled else Status.QUEUED
    with runtime.db.write() as conn:
        if check_only:
            if not sub.allow_negative and accounts.balance(conn, sub.account_id) < cost:
                raise InsufficientCredits(cost, accounts.balance(conn, sub.account_id))
            msg.credits = 0
        elif not accounts.charge(conn, sub.account_id, cost, allow_negative=sub.allow_negative):
            raise InsufficientCredits(cost, accounts.balance(conn, sub.account_id))
        inserted = messages.insert_with_recipients(
            conn, msg, numbers_json, _json_array(sub.invalid),
            initial_status=initial, first_due=first_due, rules=runtime.rules_for(sub.provider),
        )
        if msg.track_events and msg.first_recipient_id is not None:
            events.add_for_range(conn, msg.id, msg.first_recipient_id, msg.last_recipient_id, now)
        else:
            events.add(conn, msg.id, None, str(initial), now, f"{inserted.accepted} recipients accepted")
        if inserted.accepted == 0:
            messages.set_fields(conn, msg.id, status="completed", completed_at=now, next_due_at=None)
            msg.status = "completed"
        if sub.after_insert is not None:
            sub.after_insert(conn, inserted)
        runtime.faults.on_submit(conn, inserted, now)  # delivery-side fault rules (core/faults.py)
    runtime.feed.publish("message.created", id=msg.id, public_id=msg.public_id, provider=msg.provider,
                         account_id=msg.account_id, recipient_count=msg.recipient_count, status=str(msg.status))
    runtime.wake()
    runtime.metrics.sends.labels(sub.provider).inc()
    return inserted


def _json_array(items: Sequence[str] | str) -> str | None:
    if isinstance(items, str):
        return items if items.strip() not in ("", "[]") else None
    return json.dumps(list(items)) if items else None


def cancel_scheduled(runtime: Runtime, message_id: int) -> int | None:
    """Cancel a message still waiting for its scheduled time: every recipient becomes cancelled and
    the credits it holds come back. Returns the refund, or None if it is no longer scheduled."""
    now = runtime.clock.now()
    with runtime.scheduler.exclusive(), runtime.db.write() as conn:  # a tick must not release it meanwhile
        msg = messages.get(conn, message_id)
        if msg is None or msg.status != Status.SCHEDULED:
            return None
        moved = 0
        if msg.first_recipient_id is not None:
            moved = recipients.cancel_range(conn, msg.first_recipient_id, msg.last_recipient_id, now)
        messages.add_counts(conn, msg.id, {Status.SCHEDULED: -moved, Status.CANCELLED: moved})
        accounts.refund(conn, msg.account_id, msg.credits)
        messages.set_fields(conn, msg.id, status=Status.CANCELLED, credits=0, next_due_at=None,
                            updated_at=now, completed_at=now)
        events.add(conn, msg.id, None, Status.CANCELLED, now, f"{moved} recipients cancelled")
    runtime.feed.publish("message.updated", id=msg.id, provider=msg.provider, account_id=msg.account_id)
    runtime.changed()
    return msg.credits
