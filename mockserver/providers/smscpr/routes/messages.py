"""SMSCPR routes: send (at /v1/sendsms and the seed's local-mock path /messages/sms), list message
logs, get one DeliveryReceipt. Thin: parse, call messages/logs, answer."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Query, Security
from fastapi.responses import JSONResponse

from mockserver.providers.smscpr import logs, messages
from mockserver.providers.smscpr.auth import CallerDep, ContextDep, SmscprRoute, bearer_scheme
from mockserver.providers.smscpr.schemas import DeliveryReceipt, ErrorBody, MessageList, SendSmsRequest
from mockserver.providers.openapi import error_responses

router = APIRouter(route_class=SmscprRoute, dependencies=[Security(bearer_scheme)])


def _errors(*codes: int) -> dict:
    return error_responses(ErrorBody, 401, 429, 500, *codes)


SEND_DESCRIPTION = """Submit one outbound (MT) SMS. Answers at once with the message's `DeliveryReceipt` in
state `QUEUED`; `sentAt`, `price`, `ptf` and `mccmnc` stay `null` until a final state.

Documented by the vendor: the body fields `servicePlanId`, `channel`, `from`, `to`, `body`
(and `callbackUrl` in its example), Bearer auth, the `DeliveryReceipt` object.

**DESIGNED (the vendor does not publish it):** HTTP 200 on acceptance; the error body
`{errorCode, errorMessage, details}`; 400 for a bad field (named in `details`), 401 for a missing,
malformed or unknown token, 403 for a `servicePlanId` the token's account does not own, 402 when credits
do not cover the parts, 413 over 64 KiB, 415 unless `Content-Type: application/json`, 422 when the body
needs more than 10 SMS parts, 429 with `Retry-After` over 30 requests/s per account (burst 60) (limits
and the 402 are defaults, see the `MOCKSERVER_SMSCPR_*` settings); the
`from` rule (E.164, 3-8 digit short code or 1-11 character alphanumeric sender); unknown body fields are
ignored; the receipt fields `callbackUrl`, `parts`, `createdAt`, `doneAt`; `price` and `ptf` as USD
numbers (`ptf` = carrier pass-through fee). `POST /messages/sms` is the same operation (the path the
vendor's local-mock example uses)."""

LIST_DESCRIPTION = """List and search your messages, newest first, with cursor pagination.

Documented by the vendor: the endpoint, "cursor-based pagination", `DeliveryReceipt` items.

**DESIGNED:** parameter names (`status`, `from`, `to`, `sentSince`, `sentUntil`, `limit`, `cursor`,
after Infobip's logs), the page shape `{results, nextCursor}`, `limit` 1-1000 (default 50). `status` takes
one word or a comma-separated list. `sentSince`/`sentUntil` are ISO-8601 and bound the acceptance time
(`createdAt`), inclusive. The cursor is opaque: pass `nextCursor` back with the same filters; pages stay
stable while new messages arrive; `nextCursor` is `null` on the last page."""

GET_DESCRIPTION = """One message's `DeliveryReceipt` (the same object the DLR webhook carries).

**DESIGNED:** an unknown `msgId`, or one of another account, answers 404."""


async def send_sms_message(payload: SendSmsRequest, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Send one SMS; the answer is its DeliveryReceipt in state QUEUED."""
    return JSONResponse(await messages.send(ctx.runtime, ctx.settings, caller, payload))


for _path, _op, _tags in (("/v1/sendsms", "sendSmsMessage", ["Outbound SMS"]),
                          ("/messages/sms", "sendSmsMessageLocalMock", ["Outbound SMS (local-mock path)"])):
    router.add_api_route(
        _path, send_sms_message, methods=["POST"], operation_id=_op, tags=_tags, summary="Send SMS message",
        description=SEND_DESCRIPTION, response_model=DeliveryReceipt, responses=_errors(400, 402, 403, 413, 415, 422),
    )


@router.get("/v1/messages/sms", operation_id="listMessageLogs", tags=["Logs / Status Reports"],
            summary="Messages list", description=LIST_DESCRIPTION, response_model=MessageList,
            responses=_errors(400))
def list_message_logs(
    caller: CallerDep,
    ctx: ContextDep,
    status: Annotated[Optional[str], Query(description="QUEUED, DISPATCHED, DELIVERED, ... (comma-separated ok)")] = None,
    from_: Annotated[Optional[str], Query(alias="from", description="Exact sender.")] = None,
    to: Annotated[Optional[str], Query(description="Exact destination, E.164.")] = None,
    sentSince: Annotated[Optional[str], Query(description="ISO-8601; accepted at or after.")] = None,  # noqa: N803
    sentUntil: Annotated[Optional[str], Query(description="ISO-8601; accepted at or before.")] = None,  # noqa: N803
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size, 1-1000.")] = 50,
    cursor: Annotated[Optional[str], Query(description="`nextCursor` of the previous page.")] = None,
) -> JSONResponse:
    """List and search your messages, newest first (cursor pages)."""
    query = logs.LogQuery(status=status, sender=from_, to=to, sent_since=sentSince, sent_until=sentUntil,
                          limit=limit, cursor=cursor)
    return JSONResponse(logs.list_receipts(ctx.runtime, caller, query))


@router.get("/v1/messages/sms/{msgId}", operation_id="getDeliveryReceipt", tags=["Logs / Status Reports"],
            summary="Message status", description=GET_DESCRIPTION, response_model=DeliveryReceipt,
            responses=_errors(404))
def get_delivery_receipt(msgId: str, caller: CallerDep, ctx: ContextDep) -> JSONResponse:  # noqa: N803
    """One message's DeliveryReceipt."""
    return JSONResponse(messages.receipt(ctx.runtime, caller, msgId))
