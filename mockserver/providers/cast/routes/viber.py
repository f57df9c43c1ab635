"""Viber business messages: viber/send and viber/status/{id} (same credits and lifecycle as SMS)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from mockserver.core import phone
from mockserver.providers.cast import sends, errors, ids, idempotency, lookup, views
from mockserver.providers.cast.auth import CallerDep, CastRoute, ContextDep, limit_account_sends, require_channel
from mockserver.providers.cast.routes.send import IdempotencyKey
from mockserver.providers.cast.schemas import ViberRequest

router = APIRouter(route_class=CastRoute)

MIN_TTL = 60
TEXT_MAX = 1000  # designed: Viber's own limit for a text message


def _text(body: ViberRequest) -> str:
    if not body.recipient.strip():
        raise errors.bad_request("recipient is required")
    if not phone.is_e164(body.recipient):
        raise errors.bad_request("recipient must be in E.164 format (e.g. +639171234567)")
    if not body.content:
        raise errors.bad_request("content is required")
    item = body.content[0]
    if item.type != "text":
        raise errors.bad_request("content[0].type must be \"text\"")
    if not item.text or not item.text.strip():
        raise errors.bad_request("content[0].text is required")
    if len(item.text) > TEXT_MAX:
        raise errors.bad_request(f"content[0].text is too long (max {TEXT_MAX} characters)")
    if body.options is not None and body.options.ttl < MIN_TTL:
        raise errors.bad_request(f"options.ttl must be at least {MIN_TTL} seconds")
    return item.text


def _send(ctx, caller, body: ViberRequest) -> JSONResponse:
    require_channel(caller, "viber")  # v1 doc: Viber, like SIM, must be enabled on the account
    text = _text(body)
    cost = ctx.settings.viber_credits
    msg = sends.submit(ctx, caller, "viber", text, [body.recipient.lstrip("+")], [], body.sender_code,
                          None, prefix=ids.VIBER, parts_override=cost).message
    out = {"success": True, "message_id": ids.make(msg.public_id, msg.first_recipient_id),
           "recipient": body.recipient, "credits_used": 0 if caller.sandbox else cost}
    if caller.sandbox:
        out["sandbox"] = True
    return JSONResponse(out)


@router.post("/viber/send")
def send_viber(body: ViberRequest, caller: CallerDep, ctx: ContextDep, key: IdempotencyKey = None) -> Response:
    """Send a Viber text message to an E.164 number (credits_used per message)."""
    limit_account_sends(ctx, caller)
    return idempotency.run_once(ctx, caller, key, lambda: _send(ctx, caller, body))


@router.get("/viber/status/{message_id}")
def get_viber_status(message_id: str, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Viber delivery status: delivery_status 70 = delivered, 91 = not a Viber user."""
    msg, rec = lookup.destination(ctx, caller, message_id, {"viber"})
    return JSONResponse(views.viber_status_body(msg.public_id, rec.id, rec.status, views.sent_at_of(msg, rec),
                                                rec.done_at))
