"""Accepting a submission: count parts, take credits and store message + recipients atomically.

Providers validate their wire format first, then call `submit`; nothing is stored when it raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from mockserver.core import journal, segments
from mockserver.core.delivery import callback_urls
from mockserver.core.errors import InsufficientCredits
from mockserver.core.lifecycle import Status
from mockserver.core.models import Message
from mockserver.core.store import accounts, events, messages, recipients, writer
from mockserver.core.store.messages import Inserted

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

#: The message meta key that marks a send billed at dispatch (read by credits.apply_moves).
DISPATCH_CHARGE = "charge_at_dispatch"

#: Above this many recipients a send records message-level events only (not one per recipient).
TRACK_EVENTS_LIMIT = 10_000
#: Sends to at most this many numbers take their credits as their last statement (see _store).
CHARGE_LAST_LIMIT = 1_000


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
    #: Runs inside the submit transaction with (conn), before anything is written: a provider's check
    #: against what is stored (EngageLab's resend window) that must see the same state the send commits on.
    #: It raises to refuse the send, which then stores nothing.
    before_insert: Callable[[Any], None] | None = None
    #: Runs inside the submit transaction with (conn, Inserted): provider bookkeeping that must be
    #: atomic with the message (e.g. per-destination ids) without a second write transaction.
    after_insert: Callable[[Any, Inserted], None] | None = None


@dataclass
class _Planned:
    """A submission turned into its message row and timings, before anything is written."""

    sub: Submission
    msg: Message
    cost: int
    check_only: bool
    initial: Status
    first_due: float
    now: float
    #: Take the credits as the last statement (a small send, see _store), not the first.
    charge_last: bool
    #: The message.created event went into the send's own transaction (a relayed feed, Feed.publish_in).
    announced: bool = False


def _plan(runtime: Runtime, sub: Submission) -> _Planned:
    """Everything that needs no database: callback URL check, parts, cost, the message row."""
    callback_urls.check(sub.callback_url, runtime.settings)
    now = runtime.clock.now()
    seg = segments.segment(sub.body)
    parts = sub.parts_override or seg.parts
    count = sub.count if sub.count is not None else (len(sub.numbers) if not isinstance(sub.numbers, str) else 0)
    cost = 0 if (sub.sandbox or not sub.charge) else parts * count
    scheduled = sub.scheduled_at is not None and sub.scheduled_at > now
    check_only = scheduled and sub.charge_at_dispatch and cost > 0
    meta = {**sub.meta, DISPATCH_CHARGE: True} if check_only else sub.meta
    msg = Message.model_construct(  # not Message(...): see messages.assign
        public_id=sub.public_id, provider=sub.provider, account_id=sub.account_id, channel=sub.channel,
        sender=sub.sender, body=sub.body, encoding=str(seg.encoding), parts=parts, credits=cost,
        status=Status.SCHEDULED if scheduled else Status.QUEUED, scheduled_at=sub.scheduled_at,
        callback_url=sub.callback_url, notify=sub.notify, track_events=count <= TRACK_EVENTS_LIMIT,
        sandbox=sub.sandbox, meta=json.dumps(meta), created_at=now, updated_at=now,
    )
    first_due = sub.scheduled_at if scheduled else now + runtime.timing_for(sub.provider).queue_delay
    initial = Status.SCHEDULED if scheduled else Status.QUEUED
    counted = sub.count is not None or not isinstance(sub.numbers, str)  # numbers as JSON text are not
    charge_last = not check_only and counted and count <= CHARGE_LAST_LIMIT
    return _Planned(sub, msg, cost, check_only, initial, first_due, now, charge_last)


def _store(runtime: Runtime, plan: _Planned, conn) -> Inserted:
    """The submission's statements, inside the caller's write transaction: the credit debit (one
    conditional UPDATE, so concurrent sends never overdraw), the message, its recipients, events.

    A small send takes its credits last (CHARGE_LAST_LIMIT): the debit locks the account's row until the
    commit, and on PostgreSQL every statement after it is a round trip during which the account's other
    sends wait (one replica, wrk -c8 on one account, alternated: 204/211 -> 267/258 Cast sends/s).
    A refusal then rolls back the rows written before it, few for a small send; a big one is refused first."""
    sub, msg, now = plan.sub, plan.msg, plan.now
    if sub.before_insert is not None:
        sub.before_insert(conn)
    if plan.check_only:
        if not sub.allow_negative and accounts.balance(conn, sub.account_id) < plan.cost:
            raise InsufficientCredits(plan.cost, accounts.balance(conn, sub.account_id))
        messages.assign(msg, credits=0)
    elif not plan.charge_last:
        _charge(conn, plan)
    numbers_json = sub.numbers if isinstance(sub.numbers, str) else json.dumps(list(sub.numbers))
    inserted = messages.insert_with_recipients(
        conn, msg, numbers_json, _json_array(sub.invalid),
        initial_status=plan.initial, first_due=plan.first_due, rules=runtime.rules_for(sub.provider),
    )
    if msg.track_events and msg.first_recipient_id is not None:
        events.add_for_range(conn, msg.id, msg.first_recipient_id, msg.last_recipient_id, now)
    else:
        events.add(conn, msg.id, None, str(plan.initial), now, f"{inserted.accepted} recipients accepted")
    if inserted.accepted == 0:
        messages.set_fields(conn, msg.id, status="completed", completed_at=now, next_due_at=None)
        messages.assign(msg, status="completed")
    if sub.after_insert is not None:
        sub.after_insert(conn, inserted)
    runtime.faults.on_submit(conn, inserted, now)  # delivery-side fault rules (core/faults.py)
    plan.announced = runtime.feed.publish_in(conn, "message.created", **_created(msg))
    if plan.charge_last:
        _charge(conn, plan)
    return inserted


def _charge(conn, plan: _Planned) -> None:
    sub = plan.sub
    if not accounts.charge(conn, sub.account_id, plan.cost, allow_negative=sub.allow_negative):
        raise InsufficientCredits(plan.cost, accounts.balance(conn, sub.account_id))


def _created(msg: Message) -> dict[str, Any]:
    """The message.created event's data (core/feed/hub.py lists the keys)."""
    return {"id": msg.id, "public_id": msg.public_id, "provider": msg.provider, "account_id": msg.account_id,
            "recipient_count": msg.recipient_count, "status": str(msg.status)}


def _announce(runtime: Runtime, plan: _Planned, inserted: Inserted, due_later: bool = False) -> Inserted:
    """After the commit: tell the inbox feed (or the relay, which stored the event with the send, to read
    it back now), wake the scheduler (or only long-polls, see submit_grouped), count the send."""
    msg = inserted.message
    journal.note_message(msg.id)
    relay = runtime.feed.relay
    if not plan.announced:
        runtime.feed.publish("message.created", **_created(msg))
    elif relay is not None:
        relay.poke()
    runtime.changed() if due_later else runtime.wake()
    runtime.metrics.sends.labels(msg.provider).inc()
    return inserted


def submit(runtime: Runtime, sub: Submission) -> Inserted:
    """Store the submission; raises InsufficientCredits or InvalidCallbackUrl before anything is written."""
    plan = _plan(runtime, sub)
    with runtime.db.write() as conn:
        inserted = _store(runtime, plan, conn)
    return _announce(runtime, plan, inserted)


async def submit_grouped(runtime: Runtime, sub: Submission) -> Inserted:
    """`submit` for the event loop: the statements join the group writer's next transaction (one commit
    for many concurrent small sends, core/store/writer.py); answers after that commit. Meant for small
    sends: a big one would hold the batch's transaction (use `submit` in a worker thread)."""
    plan = _plan(runtime, sub)
    inserted = await writer.of(runtime.db).run(lambda conn: _store(runtime, plan, conn))
    # Nothing due yet (queue_delay > 0): a tick now would find nothing, and the scheduler's regular tick
    # (every scheduler_interval) takes it once due. Waking it per send ran one empty tick per request
    # in a worker thread (py-spy: ~15 % of a send's CPU). These sends queue no webhook at submission.
    return _announce(runtime, plan, inserted, due_later=plan.first_due > plan.now)


def _json_array(items: Sequence[str] | str) -> str | None:
    if isinstance(items, str):
        return items if items.strip() not in ("", "[]") else None
    return json.dumps(list(items)) if items else None


def cancel_scheduled(runtime: Runtime, message_id: int) -> int | None:
    """Cancel a message still waiting for its scheduled time: every recipient becomes cancelled and
    the credits it holds come back. Returns the refund, or None if it is no longer scheduled."""
    now = runtime.clock.now()
    with runtime.scheduler.exclusive(), runtime.db.write() as conn:  # a tick must not release it meanwhile
        msg = messages.lock(conn, message_id)  # held: a tick on another replica cannot start it meanwhile
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
