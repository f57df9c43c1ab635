"""The five send operations' shared logic: Cast's checks in order, one core submission per request
(one recipient per destination, each with its own message id), and Cast's response bodies.

Bulk destinations that fail validation are per-destination failures: stored as refused, never charged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi.responses import JSONResponse

from mockserver.core import segments, sending
from mockserver.core.sending import Submission
from mockserver.core.store import accounts, recipients
from mockserver.core.store.messages import Inserted
from mockserver.providers.cast import NAME, errors, ids, optouts, senders, validation
from mockserver.providers.cast.auth import Caller, require_channel
from mockserver.providers.cast.auth import Context
from mockserver.providers.cast.validation import Limits
from mockserver.providers.cast.views import timestamp


@dataclass(frozen=True)
class Route:
    """Which pool a send endpoint uses: `channel` is stored (logs' message_type), `needs` is the
    account channel it requires."""

    channel: str
    needs: str
    schedulable: bool = True


PROVIDER_FAILURE = errors.provider_error().message

SMS, OTP, SIM = Route("sms", "sms"), Route("otp", "otp", schedulable=False), Route("sim", "sim")
BULK, SIM_BULK = Route("bulk", "bulk"), Route("sim", "sim")


def _gate(ctx: Context, caller: Caller, route: Route) -> None:
    require_channel(caller, route.needs)
    if route.needs == "sim" and not ctx.settings.sim_service_enabled:
        raise errors.CastError("sim service is disabled", http_status=503, error_code="SERVICE_UNAVAILABLE")
    extra = json.loads(caller.account.extra or "{}")
    if route.needs != "sim" and not (ctx.settings.sms_service_enabled and extra.get("sms_service_enabled", True)):
        raise errors.sms_service_unavailable()


def provider_error(ctx: Context, number: str) -> bool:
    """The magic destination that makes the upstream SMSC fail (502 PROVIDER_ERROR)."""
    suffix = ctx.settings.provider_error_suffix
    return bool(suffix) and number.endswith(suffix)


def _check_credit_limit(ctx: Context, caller: Caller, body: str, count: int) -> None:
    """Postpaid accounts with extra.credit_limit = N may not go below -N credits (402 CREDIT_LIMIT_REACHED)."""
    limit = json.loads(caller.account.extra or "{}").get("credit_limit")
    if caller.sandbox or caller.account.billing_type != "postpaid" or limit is None:
        return
    need = segments.segment(body).parts * count
    have = accounts.balance(ctx.runtime.db.conn(), caller.account.id)
    if have - need < -int(limit):
        raise errors.CastError(f"credit limit reached: need {need}, limit {int(limit)}, balance {have}",
                               http_status=402, error_code="CREDIT_LIMIT_REACHED")


def _common(ctx: Context, caller: Caller, route: Route, body, limits: Limits) -> tuple[str, float | None]:
    """Message, sender ID length, scheduled_at and sender resolution; returns (sender, scheduled epoch)."""
    validation.check_message(body.message, limits)
    validation.check_sender_length(body.sender_id, limits)
    if body.scheduled_at and not route.schedulable:
        raise errors.bad_request("scheduled_at is not supported for OTP messages")
    at = validation.check_schedule(body.scheduled_at, ctx.runtime.clock.now(), ctx.settings.schedule_min_lead)
    sender = senders.resolve(ctx.runtime, caller, body.sender_id, route.channel)
    return sender, at


def _submission(ctx: Context, caller: Caller, channel: str, body: str, numbers: list[str], invalid: list[str],
                sender: str | None, at: float | None, prefix: str | None = None,
                parts_override: int | None = None) -> Submission:
    rt = ctx.runtime
    prefix = prefix or (ids.SANDBOX if caller.sandbox else ids.SMS)

    def name_destinations(conn, inserted: Inserted) -> None:
        """Each destination's message_id, stored so vendor-neutral lookups (the control API) find it."""
        msg = inserted.message
        if msg.first_recipient_id is not None:
            recipients.set_public_ids(conn, ((ids.make(msg.public_id, rid), rid)
                                             for rid in range(msg.first_recipient_id, msg.last_recipient_id + 1)))

    return Submission(
        provider=NAME, account_id=caller.account.id, public_id=ids.batch_id(prefix, rt.ids.hex(8)),
        body=body, numbers=numbers, invalid=invalid, channel=channel, sender=sender, scheduled_at=at,
        notify=bool(caller.account.dlr_url), sandbox=caller.sandbox,
        allow_negative=caller.account.billing_type == "postpaid", parts_override=parts_override,
        charge_at_dispatch=True,  # v1 doc #1: a scheduled send's credits are taken at dispatch
        meta={"api_key_id": caller.key.id}, after_insert=name_destinations,
    )


def submit(ctx: Context, caller: Caller, channel: str, body: str, numbers: list[str], invalid: list[str],
           sender: str | None, at: float | None, prefix: str | None = None,
           parts_override: int | None = None) -> Inserted:
    """One core submission; credits for every valid destination are taken at once or not at all."""
    sub = _submission(ctx, caller, channel, body, numbers, invalid, sender, at, prefix, parts_override)
    return sending.submit(ctx.runtime, sub)


def _with_sandbox(caller: Caller, body: dict) -> dict:
    if caller.sandbox:
        body["sandbox"] = True
    return body


def _check_one(ctx: Context, caller: Caller, route: Route, body, limits: Limits) -> tuple[str, str, float | None]:
    """Cast's checks of a single send, in order; returns (number, sender, scheduled epoch)."""
    _gate(ctx, caller, route)
    number = validation.check_to(body.to, limits)
    sender, at = _common(ctx, caller, route, body, limits)
    if provider_error(ctx, number):
        raise errors.provider_error()
    if number in optouts.blocked(ctx.runtime, caller.account.id, sender):
        raise errors.CastError(optouts.MESSAGE, http_status=422, error_code="ALREADY_UNSUBSCRIBED")
    _check_credit_limit(ctx, caller, body.message, 1)
    return number, sender, at


def _answer_one(caller: Caller, inserted: Inserted, at: float | None) -> JSONResponse:
    msg = inserted.message
    if at is not None:
        return JSONResponse(_with_sandbox(caller, {"success": True, "scheduled_at": timestamp(at)}), status_code=202)
    out = {"success": True, "message_id": ids.make(msg.public_id, msg.first_recipient_id), "parts": msg.parts}
    return JSONResponse(_with_sandbox(caller, out))


def send_one(ctx: Context, caller: Caller, route: Route, body, limits: Limits) -> JSONResponse:
    """sms/send, otp/send, sim/send."""
    number, sender, at = _check_one(ctx, caller, route, body, limits)
    return _answer_one(caller, submit(ctx, caller, route.channel, body.message, [number], [], sender, at), at)


async def send_one_grouped(ctx: Context, caller: Caller, route: Route, body, limits: Limits) -> JSONResponse:
    """send_one on the event loop: the checks read SQLite directly (~0.1 ms, cheaper than a thread hop)
    and the insert joins the group writer's next commit; answered once committed."""
    number, sender, at = _check_one(ctx, caller, route, body, limits)
    sub = _submission(ctx, caller, route.channel, body.message, [number], [], sender, at)
    return _answer_one(caller, await sending.submit_grouped(ctx.runtime, sub), at)


def _problems(ctx: Context, caller: Caller, to: list[str], sender: str, limits: Limits) -> list[str | None]:
    """Each destination's failure text (None when it goes out): validation, the PROVIDER_ERROR magic
    number, or an opt-out from this sender ID. Failed destinations are never charged."""
    opted_out = optouts.blocked(ctx.runtime, caller.account.id, sender)
    out: list[str | None] = []
    for raw in to:
        problem, number = validation.destination_error(raw, limits), validation.normalize(raw) or raw
        if problem is None and provider_error(ctx, number):
            problem = PROVIDER_FAILURE
        elif problem is None and number in opted_out:
            problem = optouts.MESSAGE
        out.append(problem)
    return out


def send_many(ctx: Context, caller: Caller, route: Route, body, limits: Limits) -> JSONResponse:
    """sms/bulk, sim/bulk: 1-1000 destinations, one result each, HTTP 200 even on partial failure."""
    _gate(ctx, caller, route)
    if not body.to:
        raise errors.bad_request("to is required")
    if len(body.to) > ctx.settings.max_bulk:
        raise errors.bad_request(f"too many recipients (max {ctx.settings.max_bulk})")
    sender, at = _common(ctx, caller, route, body, limits)
    problems = _problems(ctx, caller, body.to, sender, limits)
    valid = [validation.normalize(raw) or raw for raw, p in zip(body.to, problems) if p is None]
    invalid = [raw for raw, p in zip(body.to, problems) if p is not None]
    _check_credit_limit(ctx, caller, body.message, len(valid))
    msg = submit(ctx, caller, route.channel, body.message, valid, invalid, sender, at).message
    if at is not None:
        out = {"success": True, "scheduled": len(valid), "scheduled_at": timestamp(at)}
        return JSONResponse(_with_sandbox(caller, out), status_code=202)
    results, next_id = [], msg.first_recipient_id
    for raw, problem in zip(body.to, problems):
        if problem is None:
            results.append({"to": raw, "success": True, "message_id": ids.make(msg.public_id, next_id),
                            "parts": msg.parts})
            next_id += 1
        else:
            results.append({"to": raw, "success": False, "error": problem})
    out = {"success": not invalid, "total": len(body.to), "sent": len(valid), "failed": len(invalid),
           "results": results}
    return JSONResponse(_with_sandbox(caller, out))
