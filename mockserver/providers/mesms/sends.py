"""The me-sms operations behind the routes: send (and dryRun), preview, cancel and retry.

Everything here runs in a worker thread (the routes hand it off), so a 2M-number send never holds
the event loop for long; only a small send (`send_grouped`) runs on the loop, cheaper than the hop. Core does the SMS truths (credits, storage, lifecycle); this module only
turns the vendor's request into a core Submission and the result into the vendor's answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.core import sending
from mockserver.core.lifecycle import Status
from mockserver.core.models import Message
from mockserver.core.store import accounts, messages, recipients
from mockserver.providers.mesms import compose
from mockserver.providers.mesms import NAME
from mockserver.providers.mesms.auth import Caller
from mockserver.providers.mesms.errors import MesmsError, bad_request
from mockserver.providers.mesms.schemas import PreviewRequest, RetryRequest, SendRequest
from mockserver.providers.mesms.settings import MesmsSettings
from mockserver.providers.mesms.statuses import NEUTRAL_OF

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

RETRYABLE = ("failed", "expired", "timeout")


def send(runtime: Runtime, cfg: MesmsSettings, caller: Caller, raw: bytes) -> dict[str, Any]:
    """POST /api/v2/sms/send: validate, then charge and store (or only price it for dryRun)."""
    planned = _plan_send(runtime, cfg, caller, raw)
    if isinstance(planned, dict):
        return planned
    sub, base = planned
    return _answer(sending.submit(runtime, sub).message, base)


async def send_grouped(runtime: Runtime, cfg: MesmsSettings, caller: Caller, raw: bytes) -> dict[str, Any]:
    """`send` for a small body, on the event loop: the checks read SQLite directly (cheaper than a thread
    hop) and the insert joins the group writer's next commit; answered once committed."""
    planned = _plan_send(runtime, cfg, caller, raw)
    if isinstance(planned, dict):
        return planned
    sub, base = planned
    return _answer((await sending.submit_grouped(runtime, sub)).message, base)


def _plan_send(runtime: Runtime, cfg: MesmsSettings, caller: Caller,
               raw: bytes) -> dict[str, Any] | tuple[sending.Submission, dict[str, Any]]:
    """The vendor's checks in order; the dryRun answer, or the submission and the answer's common part."""
    req, msisdns = compose.parse_body(raw, SendRequest)
    conn = runtime.db.conn()
    now = runtime.clock.now()
    compose.check_sender(conn, caller, req.sender, cfg, now)
    text = compose.content_of(conn, caller.account.id, req, cfg)
    scheduled_at = compose.schedule_of(req.scheduledTime)
    found = compose.numbers_of(conn, caller.account.id, msisdns, req.contactGroupId, cfg)
    del msisdns  # the parsed 2M-item list is the biggest object in the request; free it before inserting
    if found.accepted == 0:
        raise bad_request("No valid Thai mobile number (66XXXXXXXXX or 0XXXXXXXXX) in msisdns", "INVALID_MSISDN")
    parts = compose.parts_of(text, cfg)
    base = {"sender": req.sender, "accepted": found.accepted, "invalid": len(found.invalid),
            "duplicates": found.duplicates, "parts": parts.parts, "encoding": parts.encoding,
            "creditsRequired": parts.parts * found.accepted, "scheduledTime": compose.iso(scheduled_at),
            "retryOf": None}
    if req.dryRun:
        return {"uuid": None, "status": "dry_run", **base, "credits": 0, "dryRun": True, "createdAt": None}
    meta = {"templateId": req.templateId, "contactGroupId": req.contactGroupId, "duplicates": found.duplicates}
    sub = _submission(runtime, caller, text, parts, found.json_array(), found.accepted, found.invalid, req.sender,
                      scheduled_at, meta)
    found.release()
    return sub, base


def _answer(msg: Message, base: dict[str, Any]) -> dict[str, Any]:
    return {"uuid": msg.public_id, "status": "scheduled" if msg.status == Status.SCHEDULED else "pending", **base,
            "credits": msg.credits, "dryRun": False, "createdAt": compose.iso(msg.created_at)}


def _submission(runtime: Runtime, caller: Caller, text: str, parts: compose.Parts, numbers_json: str, count: int,
                invalid: list[str], sender: str, scheduled_at: float | None, meta: dict) -> sending.Submission:
    return sending.Submission(
        provider=NAME, account_id=caller.account.id, public_id=runtime.ids.uuid7(), body=text,
        numbers=numbers_json, count=count, invalid=invalid, sender=sender, scheduled_at=scheduled_at,
        parts_override=parts.parts, meta=meta,
    )


def _submit(runtime: Runtime, caller: Caller, text: str, parts: compose.Parts, numbers_json: str, count: int,
            invalid: list[str], sender: str, scheduled_at: float | None, meta: dict) -> Message:
    sub = _submission(runtime, caller, text, parts, numbers_json, count, invalid, sender, scheduled_at, meta)
    return sending.submit(runtime, sub).message


def preview(runtime: Runtime, cfg: MesmsSettings, caller: Caller, raw: bytes) -> dict[str, Any]:
    """Parts and credits for a would-be send; nothing stored, nothing charged."""
    req, msisdns = compose.parse_body(raw, PreviewRequest)
    conn = runtime.db.conn()
    if req.sender is not None:
        compose.check_sender(conn, caller, req.sender, cfg, runtime.clock.now())
    text = compose.content_of(conn, caller.account.id, req, cfg)
    found = compose.numbers_of(conn, caller.account.id, msisdns, req.contactGroupId, cfg)
    parts = compose.parts_of(text, cfg)
    credits = parts.parts * found.accepted
    balance = accounts.balance(conn, caller.account.id)
    return {"parts": parts.parts, "encoding": parts.encoding, "characters": len(text), "recipients": found.accepted,
            "accepted": found.accepted, "invalid": len(found.invalid), "duplicates": found.duplicates,
            "credits": credits, "balance": balance, "sufficient": balance >= credits}


def owned(runtime: Runtime, cfg: MesmsSettings, caller: Caller, uuid: str) -> Message:
    """The send with this uuid, if it belongs to the caller's account (else 403 or 404, see settings)."""
    msg = messages.by_public_id(runtime.db.conn(), NAME, uuid)
    if msg is None:
        raise MesmsError("SMS not found", http_status=404, error_code="NOT_FOUND")
    if msg.account_id != caller.account.id:
        if cfg.foreign_resource_status == 404:
            raise MesmsError("SMS not found", http_status=404, error_code="NOT_FOUND")
        raise MesmsError("You are not the resource owner", http_status=403, error_code="FORBIDDEN")
    return msg


def cancel(runtime: Runtime, msg: Message) -> dict[str, Any]:
    """Cancel a scheduled send that has not started; its held credits come back."""
    if msg.status == Status.CANCELLED:
        raise MesmsError("SMS is already cancelled", http_status=409, error_code="ALREADY_CANCELLED")
    if msg.scheduled_at is None:
        raise bad_request("Only SMS sent with a scheduledTime can be cancelled", "NOT_SCHEDULED")
    if msg.status != Status.SCHEDULED:
        raise MesmsError("SMS is already processing or sent", http_status=409, error_code="ALREADY_PROCESSING")
    refunded = sending.cancel_scheduled(runtime, msg.id)
    if refunded is None:  # the scheduler started it between our read and the cancel
        raise MesmsError("SMS is already processing or sent", http_status=409, error_code="ALREADY_PROCESSING")
    return {"uuid": msg.public_id, "status": "cancelled", "refundedCredits": refunded,
            "credits": accounts.balance(runtime.db.conn(), msg.account_id)}


def retry(runtime: Runtime, cfg: MesmsSettings, caller: Caller, msg: Message, raw: bytes) -> dict[str, Any]:
    """Re-send a finished send's failed recipients as a new send (new uuid), charged like any send."""
    req, _ = compose.parse_body(raw or b"{}", RetryRequest)
    wrong = [s for s in req.statuses if s not in RETRYABLE]
    if wrong or not req.statuses:
        raise bad_request(f"statuses: each must be one of {', '.join(RETRYABLE)}")
    if msg.status != "completed":
        raise MesmsError("Only a finished send can be retried", http_status=409, error_code="NOT_FINISHED")
    neutral = [s for word in req.statuses for s in NEUTRAL_OF[word]]
    conn = runtime.db.conn()
    numbers_json, count = recipients.numbers_json(conn, msg.first_recipient_id, msg.last_recipient_id, neutral)
    if count == 0:
        raise bad_request("No recipients with those statuses to retry", "NOTHING_TO_RETRY")
    parts = compose.Parts(msg.encoding, msg.parts)
    meta = {"retryOf": msg.public_id}
    new = _submit(runtime, caller, msg.body, parts, numbers_json, count, [], msg.sender or "", None, meta)
    return {"uuid": new.public_id, "status": "pending", "sender": new.sender, "accepted": count, "invalid": 0,
            "duplicates": 0, "parts": new.parts, "encoding": new.encoding, "credits": new.credits,
            "creditsRequired": new.parts * count, "scheduledTime": None, "dryRun": False,
            "retryOf": msg.public_id, "createdAt": compose.iso(new.created_at)}
