"""Reading sends: list newest first, one send with drSummary, and per-recipient status pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

import orjson

from mockserver.providers.mesms import messages, sends
from mockserver.providers.mesms.auth import CallerDep, ContextDep, MesmsRoute
from mockserver.providers.mesms.schemas import error_responses

router = APIRouter(prefix="/api/v2/sms", route_class=MesmsRoute, tags=["Messages"])


def _json(data) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


@router.get("", responses=error_responses(400, 401, 429),
            description="Messages on the account, most recent first. Path, `cursor`/`limit` names and the "
                        "`{data, nextCursor, hasMore}` shape are DESIGNED. `sent` = finished with at least one "
                        "success, `failed` = finished with none, `pending` = in progress (DESIGNED meanings).")
def list_sms(caller: CallerDep, ctx: ContextDep,
             status: Annotated[str | None, Query(description="sent | failed | pending | scheduled | cancelled")] = None,
             cursor: Annotated[str | None, Query(description="nextCursor of the previous page")] = None,
             limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Response:
    """List messages"""
    return _json(messages.list_view(ctx.db.conn(), caller.account.id, status, cursor, limit))


@router.get("/{uuid}", responses=error_responses(401, 403, 404, 429),
            description="One send. `drSummary` (count per recipient status) appears once the send is complete and "
                        "is null before (DESIGNED shape: status word -> count). Other fields DESIGNED.")
def get_sms(uuid: str, caller: CallerDep, ctx: ContextDep) -> Response:
    """Get one message"""
    msg = sends.owned(ctx.runtime, ctx.settings, caller, uuid)
    return _json(messages.message_view(ctx.db.conn(), msg))


@router.get("/{uuid}/recipients", responses=error_responses(400, 401, 403, 404, 429),
            description="Per-recipient status with cursor pagination, fast at million-recipient scale. With "
                        "`after` (start at 0, then pass `nextCursor`) the answer has `nextCursor` + `hasMore`; "
                        "without it, `page` + `total`. `summary[]` gives per-status totals from kept counters. "
                        "Item fields, `limit` and `page` are DESIGNED; a recipient of a cancelled send is `failed` with "
                        "`reason: \"cancelled\"` (DESIGNED: the seven status words have none for it).")
def get_recipients(
    uuid: str, caller: CallerDep, ctx: ContextDep,
    after: Annotated[str | None, Query(description="nextCursor from the previous response; 0 for the first page")] = None,
    status: Annotated[str | None, Query(description="pending | success | failed | invalid | blocked | expired | "
                                                    "timeout")] = None,
    limit: Annotated[int | None, Query(ge=1, description="Rows per page (default 100, max 1000)")] = None,
    page: Annotated[int, Query(ge=1, le=2**31 - 1, description="1-based page when `after` is not used "
                                                             "(an int32, as DESIGNED)")] = 1,
) -> Response:
    """Recipients (per-recipient status)"""
    msg = sends.owned(ctx.runtime, ctx.settings, caller, uuid)
    size = min(limit or ctx.settings.page_default, ctx.settings.page_max)
    return _json(messages.recipients_view(ctx.db.conn(), msg, after=after, page=page, limit=size, status=status))
