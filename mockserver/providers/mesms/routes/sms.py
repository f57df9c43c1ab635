"""POST operations on sends: send (recovered), preview, cancel and retry (paths DESIGNED)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

import orjson

from mockserver.providers.mesms import sends
from mockserver.providers.mesms.auth import CallerDep, ContextDep, MesmsRoute, SendScopeCallerDep, check_send_scope
from mockserver.providers.mesms.schemas import (PreviewRequest, RetryRequest, SendRequest, SendResult,
                                                error_responses)

#: Bodies up to this size (~250 numbers) are checked on the event loop (well under a millisecond) and
#: stored through the group writer; bigger ones keep the worker thread, so a long parse never stalls others.
SMALL_SEND_BYTES = 4096

router = APIRouter(prefix="/api/v2/sms", route_class=MesmsRoute, tags=["Messages"])


def _body(model) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


@router.post("/send", response_model=SendResult, openapi_extra=_body(SendRequest),
             responses=error_responses(400, 401, 402, 403, 429),
             description="Send to one number or up to 2,000,000 numbers per request. Requires scope `sms:send` "
                         "or `*`. Numbers that are not Thai mobiles (`66XXXXXXXXX`, `0XXXXXXXXX`, also `+66…`) "
                         "are counted `invalid` per recipient and never charged; duplicates are removed "
                         "(DESIGNED). A request with no valid number at all is a 400 `INVALID_MSISDN`. "
                         "Response shape beyond `uuid` is DESIGNED.")
async def send_sms(request: Request, caller: SendScopeCallerDep, ctx: ContextDep) -> Response:
    """Send SMS"""
    raw = await request.body()
    if len(raw) <= SMALL_SEND_BYTES:  # a few numbers: on the loop, the insert in a group commit
        return _json(await sends.send_grouped(ctx.runtime, ctx.settings, caller, raw))
    # Parsing and storing 2M numbers takes ~1-2 s: a worker thread keeps the event loop serving others.
    return _json(await run_in_threadpool(sends.send, ctx.runtime, ctx.settings, caller, raw))


@router.post("/preview", openapi_extra=_body(PreviewRequest), responses=error_responses(400, 401, 429),
             description="DESIGNED path. Parts and credits a send would cost; nothing is sent or charged. "
                         "Same number rules as send.")
async def preview_cost(request: Request, caller: CallerDep, ctx: ContextDep) -> Response:
    """Preview cost"""
    raw = await request.body()
    return _json(await run_in_threadpool(sends.preview, ctx.runtime, ctx.settings, caller, raw))


@router.post("/{uuid}/cancel", responses=error_responses(400, 401, 403, 404, 409, 429),
             description="DESIGNED path. Cancels a send made with a future `scheduledTime` that has not started; "
                         "held credits are refunded. Errors (DESIGNED pairing): 400 `NOT_SCHEDULED` (sent without "
                         "scheduledTime), 409 `ALREADY_CANCELLED`, 409 `ALREADY_PROCESSING` (started or sent).")
def cancel_sms(uuid: str, caller: CallerDep, ctx: ContextDep) -> Response:
    """Cancel scheduled SMS"""
    return _json(sends.cancel(ctx.runtime, sends.owned(ctx.runtime, ctx.settings, caller, uuid)))


@router.post("/{uuid}/retry", response_model=SendResult, openapi_extra={"requestBody": {
                 "required": False, "content": {"application/json": {"schema": RetryRequest.model_json_schema()}}}},
             responses=error_responses(400, 401, 402, 403, 404, 409, 429),
             description="DESIGNED path and behaviour. Re-sends a finished send's failed recipients (optionally "
                         "also `expired` / `timeout`) as a NEW send with its own uuid, charged like /send. "
                         "Any valid key, as the vendor says of every endpoint but /send "
                         "(MOCKSERVER_MESMS_RETRY_NEEDS_SEND_SCOPE=true requires `sms:send` or `*`). "
                         "409 `NOT_FINISHED` while the send is in progress, "
                         "400 `NOTHING_TO_RETRY` when no recipient has those statuses.")
async def retry_sms(uuid: str, request: Request, caller: CallerDep, ctx: ContextDep) -> Response:
    """Retry failed recipients"""
    if ctx.settings.retry_needs_send_scope:
        check_send_scope(caller)
    raw = await request.body()

    def work() -> dict:
        return sends.retry(ctx.runtime, ctx.settings, caller, sends.owned(ctx.runtime, ctx.settings, caller, uuid), raw)

    return _json(await run_in_threadpool(work))
