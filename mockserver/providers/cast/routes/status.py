"""Delivery status and history: sms/status/{id}, sim/status/{id}, sms/logs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from mockserver.core.lifecycle import Status
from mockserver.core.store import history
from mockserver.providers.cast import errors, lookup, statuses, validation, views
from mockserver.providers.cast.auth import CallerDep, CastRoute, ContextDep
from mockserver.providers.cast.schemas import ErrorResponse, LogsResponse, StatusResponse

router = APIRouter(route_class=CastRoute)

SMS_CHANNELS = {"sms", "otp", "bulk"}
LOG_CHANNELS = ("sms", "otp", "bulk", "sim")
LOG_WORDS = ("scheduled", "sent", "failed")
_STATUS_RESPONSES = {200: {"model": StatusResponse}, 401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}


def _status(ctx, caller, message_id: str, channels: set[str]) -> JSONResponse:
    msg, rec = lookup.destination(ctx, caller, message_id, channels)
    return JSONResponse(views.status_body(msg.public_id, rec.id, rec.status, views.sent_at_of(msg, rec), rec.done_at))


@router.get("/sms/status/{message_id}", responses=_STATUS_RESPONSES, response_model=None)
def get_sms_status(message_id: str, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Status of one SMS/OTP/bulk destination: sent, pending, delivered, undelivered or failed.

    `sent` = submitted (right after a send), `pending` = ACCEPTD by the carrier, then the receipt's word.
    *Designed:* `scheduled` while a scheduled send waits; SIM messages are only found by sim/status.
    """
    return _status(ctx, caller, message_id, SMS_CHANNELS)


@router.get("/sim/status/{message_id}", responses=_STATUS_RESPONSES, response_model=None)
def get_sim_status(message_id: str, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Status of one SIM-pool destination (same shape as sms/status)."""
    return _status(ctx, caller, message_id, {"sim"})


@router.get("/sms/logs", responses={200: {"model": LogsResponse}, 400: {"model": ErrorResponse}},
            response_model=None)
def get_sms_logs(
    caller: CallerDep, ctx: ContextDep,
    status: Annotated[str | None, Query(description="sent | failed (also scheduled)")] = None,
    search: Annotated[str | None, Query(description="Substring of the message, destination, sender ID or "
                                                    "message id (CAST…).")] = None,
    since: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD (Manila day) or ISO time.")] = None,
    until: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD, inclusive, or ISO time.")] = None,
    limit: Annotated[int, Query(description="Default 50, max 500.")] = 50,
    offset: Annotated[int, Query(description="Entries to skip.")] = 0,
) -> JSONResponse:
    """Sent messages, newest first, one entry per destination (count = entries returned).

    *Designed:* `status` is the submission result (scheduled, sent, failed) and the receipt is in
    `dlr_status`; from/to days are Manila days (UTC+8); refused bulk destinations are not logged.
    """
    flt = history.HistoryFilter(account_id=caller.account.id, channels=LOG_CHANNELS,
                                exclude_statuses=(Status.INVALID,), text=search or None)
    if status:
        if status not in LOG_WORDS:
            raise errors.bad_request(f"status must be one of: {', '.join(LOG_WORDS)}")
        flt.statuses = statuses.log_filter(status)
    offset_h = ctx.settings.usage_utc_offset_hours
    flt.since = validation.parse_day(since, "from", offset_h) if since else None
    flt.until = validation.parse_day(until, "to", offset_h, end=True) if until else None
    limit = 50 if limit < 1 else min(limit, 500)
    # Clamped like limit; past 2**62 no entry exists, and SQLite's INTEGER would overflow (a 500).
    rows = history.recipient_rows(ctx.runtime.db.conn(), flt, limit, min(max(offset, 0), 2**62))
    logs = [views.log_entry(r) for r in rows]
    return JSONResponse({"success": True, "count": len(logs), "logs": logs})
