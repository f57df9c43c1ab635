"""The send operations: sms/send, sms/bulk, otp/send, sim/send, sim/bulk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Response
from starlette.concurrency import run_in_threadpool

from mockserver.providers.cast import idempotency, sends
from mockserver.providers.cast.idempotency import MAX_KEY
from mockserver.providers.cast.auth import CallerDep, CastRoute, ContextDep, limit_account_sends
from mockserver.providers.cast.schemas import (BulkRequest, BulkResponse, ErrorResponse, ScheduledResponse,
                                               SendRequest, SendResponse)
from mockserver.providers.cast.validation import LimitsDep
from mockserver.providers.openapi import error_responses

router = APIRouter(route_class=CastRoute)

# maxLength is documented, not enforced by FastAPI: idempotency.check answers a longer key in Cast's words.
IdempotencyKey = Annotated[str | None, Header(
    alias="X-Idempotency-Key", json_schema_extra={"maxLength": MAX_KEY},
    description=f"Optional, up to {MAX_KEY} characters (a longer key is a 400 `VALIDATION_ERROR`). Repeating it "
                "within 24 h replays the first successful response with `X-Idempotent-Replay: true` and sends "
                "nothing.")]

_ERRORS = error_responses(ErrorResponse, 400, 401, 402, 403, 413, 422, 429, 502, 503)
SINGLE = {200: {"model": SendResponse}, 202: {"model": ScheduledResponse}, **_ERRORS}
BULK = {200: {"model": BulkResponse}, 202: {"model": ScheduledResponse}, **_ERRORS}

# Try-it examples for the SIM pool: the seed's SIM body is the Send SMS body as written (sender_id "CAST"),
# which the README's SIM-enabled key accepts on both path families (senders.resolve).
_SIM_NOTE = "Authorize with the SIM-enabled fixture key (README: `cast_73696d70…3033`)."
SimSend = Annotated[SendRequest, Body(openapi_examples={"sim": {"summary": "SIM send", "description": _SIM_NOTE, "value": {
    "to": "09171234567", "message": "Hello, this is a test message.", "sender_id": "CAST"}}})]
SimBulk = Annotated[BulkRequest, Body(openapi_examples={"sim": {"summary": "SIM bulk", "description": _SIM_NOTE, "value": {
    "to": ["09171234567", "09181234567"], "message": "Hello from Cast!", "sender_id": "CAST"}}})]


async def _single(ctx, caller, route, body, limits, key) -> Response:
    """Without an idempotency key the send runs on the event loop and joins a group commit (no thread
    hop); with one, the striped-lock replay logic runs as before in a worker thread."""
    limit_account_sends(ctx, caller)
    if not key:
        return await sends.send_one_grouped(ctx, caller, route, body, limits)
    return await run_in_threadpool(
        idempotency.run_once, ctx, caller, key, lambda: sends.send_one(ctx, caller, route, body, limits))


def _bulk(ctx, caller, route, body, limits, key) -> Response:
    limit_account_sends(ctx, caller)
    return idempotency.run_once(ctx, caller, key, lambda: sends.send_many(ctx, caller, route, body, limits))


@router.post("/sms/send", responses=SINGLE, response_model=None)
async def send_sms(body: SendRequest, caller: CallerDep, ctx: ContextDep, limits: LimitsDep,
             key: IdempotencyKey = None) -> Response:
    """Send an SMS to one destination; credits are taken per part.

    `to`: digits and `+()-` only. A `scheduled_at` send is charged at dispatch (the balance is checked now).
    *Designed:* numbers are stored normalised (`639171234567`); a carrier failure shows later in sms/status;
    a number ending `999502` answers 502 `PROVIDER_ERROR`.
    """
    return await _single(ctx, caller, sends.SMS, body, limits, key)


@router.post("/sms/bulk", responses=BULK, response_model=None)
def send_bulk_sms(body: BulkRequest, caller: CallerDep, ctx: ContextDep, limits: LimitsDep,
                  key: IdempotencyKey = None) -> Response:
    """Send one SMS to 1-1,000 destinations; credits for the batch are checked up front.

    *Designed:* the per-destination failures are validation ones (`to is required`, `to must be 7-15
    characters` (v1: 7-20), `invalid phone number`); they cost nothing. Carrier failures (magic numbers)
    show later in sms/status and are refunded. A scheduled bulk answers `scheduled` = valid destinations.
    """
    return _bulk(ctx, caller, sends.BULK, body, limits, key)


@router.post("/otp/send", responses=SINGLE, response_model=None)
async def send_otp(body: SendRequest, caller: CallerDep, ctx: ContextDep, limits: LimitsDep,
             key: IdempotencyKey = None) -> Response:
    """Send an OTP through the dedicated OTP gateway (no scheduled_at; Cast has no verify endpoint)."""
    return await _single(ctx, caller, sends.OTP, body, limits, key)


@router.post("/sim/send", responses=SINGLE, response_model=None)
async def send_sim(body: SimSend, caller: CallerDep, ctx: ContextDep, limits: LimitsDep,
             key: IdempotencyKey = None) -> Response:
    """Send through the SIM pool; needs the `sim` channel on the account."""
    return await _single(ctx, caller, sends.SIM, body, limits, key)


@router.post("/sim/bulk", responses=BULK, response_model=None)
def send_bulk_sim(body: SimBulk, caller: CallerDep, ctx: ContextDep, limits: LimitsDep,
                  key: IdempotencyKey = None) -> Response:
    """Bulk send through the SIM pool; needs the `sim` channel on the account."""
    return _bulk(ctx, caller, sends.SIM_BULK, body, limits, key)
