"""Account operations: balance, profile, usage, sender-ids and sender ID (delete) requests."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from mockserver.core.lifecycle import Status
from mockserver.core.models import Sender
from mockserver.core.store import accounts, catalog, history
from mockserver.providers.cast import errors, senders, validation, views
from mockserver.providers.cast.auth import CallerDep, CastRoute, ContextDep
from mockserver.providers.cast import NAME
from mockserver.providers.cast.schemas import SenderIdDeleteRequest, SenderIdRequest, SenderIdRequestResponse

CURRENCY = "PHP"  # Cast documents balances in PHP; an account may set its own in fixtures

router = APIRouter(route_class=CastRoute)

FAILED = (Status.FAILED, Status.REJECTED, Status.CANCELLED)
SENT = (Status.SENT, Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.BLOCKED, Status.TIMEOUT)
SENDER_MAX = 20


@router.get("/account/balance")
def get_balance(caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Remaining credits (1 credit = 1 SMS part; may be negative on postpaid accounts)."""
    acc = accounts.get(ctx.runtime.db.conn(), caller.account.id)
    return JSONResponse({"success": True, "credits": acc.credits, "currency": acc.currency or CURRENCY})


def profile_id(account_id: str, extra: dict) -> int:
    """Cast's integer user id: extra.user_id when the fixture sets one, else a stable number from the id."""
    return int(extra.get("user_id") or zlib.crc32(account_id.encode()) % 1_000_000 + 1)


@router.get("/account/profile")
def get_profile(caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """The account's profile, credits, billing type and allowed channels."""
    acc = accounts.get(ctx.runtime.db.conn(), caller.account.id)
    extra = json.loads(acc.extra or "{}")
    return JSONResponse({
        "success": True, "id": profile_id(acc.id, extra), "name": acc.name, "email": acc.email, "mobile": extra.get("mobile"),
        "username": extra.get("username", acc.id), "credits": acc.credits, "billing_type": acc.billing_type,
        "allowed_channels": json.loads(acc.allowed_channels or "[]"), "is_active": bool(acc.is_active),
        "created_at": views.timestamp(acc.created_at),
    })


def _day(epoch: float, offset_h: float) -> str:
    return (datetime.fromtimestamp(epoch, tz=timezone.utc) + timedelta(hours=offset_h)).strftime("%Y-%m-%d")


@router.get("/account/usage")
def get_usage(caller: CallerDep, ctx: ContextDep,
              since: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD; default 30 days before `to`")] = None,
              until: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD; default today")] = None,
              ) -> JSONResponse:
    """Messages, parts and failures per day (Manila days, newest first); default the last 30 days."""
    offset_h = ctx.settings.usage_utc_offset_hours
    day_to = until or _day(ctx.runtime.clock.now(), offset_h)
    end = validation.parse_day(day_to, "to", offset_h, end=True)
    # The v1 doc's example: to 2026-04-05 gives from 2026-03-06, 30 days before (not 29).
    day_from = since or _day(end - 1 - 30 * 86_400, offset_h)
    start = validation.parse_day(day_from, "from", offset_h)
    if start >= end:
        raise errors.bad_request("from must not be after to")
    flt = history.HistoryFilter(account_id=caller.account.id, channels=("sms", "otp", "bulk", "sim"),
                                exclude_statuses=(Status.INVALID,), since=start, until=end, include_sandbox=False)
    rows = history.daily_totals(ctx.runtime.db.conn(), flt, SENT, FAILED, utc_offset=offset_h * 3600)
    daily = [{"date": r["day"], "total": r["total"], "sent": r["ok"], "failed": r["failed"], "parts": r["parts"]}
             for r in rows]
    return JSONResponse({
        "success": True, "from": day_from, "to": day_to, "total": sum(d["total"] for d in daily),
        "total_sent": sum(d["sent"] for d in daily), "total_failed": sum(d["failed"] for d in daily),
        "total_parts": sum(d["parts"] for d in daily), "daily": daily,
    })


@router.get("/account/sender-ids")
def get_sender_ids(caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Approved sender IDs with their label and channel (sms or sim)."""
    found = senders.approved(ctx.runtime, caller.account.id)
    return JSONResponse({"success": True, "sender_ids": [
        {"sender_id": s.name, "label": s.label, "channel": s.channel} for s in found]})


def _require(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise errors.bad_request(f"{name} is required")
    return value


@router.post("/account/sender-ids/request", response_model=SenderIdRequestResponse)
def request_sender_id(body: SenderIdRequest, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Ask for a new sender ID; it goes to review and appears in sender-ids once approved.

    *Designed:* review takes MOCKSERVER_REVIEW_DELAY seconds of sandbox time; names matching
    fixtures/review.toml are rejected.
    """
    name = _require(body.sender_id, "sender_id")
    if len(name) > SENDER_MAX:
        raise errors.bad_request(f"sender ID is too long (max {SENDER_MAX} characters)")
    _require(body.company_name, "company_name")
    _require(body.reason, "reason")
    rt, now = ctx.runtime, ctx.runtime.clock.now()
    with rt.db.write() as conn:
        existing = catalog.sender_by_name(conn, caller.account.id, name)
        if existing is not None and existing.status == "approved":
            raise errors.bad_request(f"sender_id '{name}' is already assigned to this user")
        if existing is not None and existing.status == "pending":
            raise errors.bad_request(f"a request for sender_id '{name}' is already pending review")
        if existing is not None:  # a rejected one may be requested again
            catalog.delete_sender(conn, existing.id)
        added = catalog.add_sender(conn, Sender(
            public_id=rt.ids.hex(8), provider=NAME, account_id=caller.account.id, name=name,
            status="pending", channel="sms", label=body.company_name, review_at=rt.review_due_at(now),
            extra=json.dumps(body.model_dump(exclude_none=True)), created_at=now, updated_at=now,
        ))
    # v1 doc #17: request_id is an integer (the sender row's id here)
    return JSONResponse({"success": True, "request_id": added.id, "status": "pending_review",
                         "message": "sender ID request submitted for review"})


@router.post("/account/sender-ids/delete-request", response_model=SenderIdRequestResponse)
def request_sender_id_deletion(body: SenderIdDeleteRequest, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Ask Cast to remove an assigned sender ID.

    *Designed:* the request is recorded on the sender ID, which stays usable (Cast staff act by hand).
    """
    name = _require(body.sender_id, "sender_id")
    _require(body.reason, "reason")
    rt = ctx.runtime
    request_id = rt.ids.bits(31)  # v1 doc #18: an integer, like the request endpoint's
    with rt.db.write() as conn:
        existing = catalog.sender_by_name(conn, caller.account.id, name)
        if existing is None or existing.status != "approved":
            raise errors.not_found(f"sender_id '{name}' is not assigned to this user")
        extra = json.loads(existing.extra or "{}")
        extra["delete_request"] = {"request_id": request_id, "reason": body.reason, "at": rt.clock.now()}
        catalog.update_sender(conn, existing.id, extra=json.dumps(extra), updated_at=rt.clock.now())
    return JSONResponse({"success": True, "request_id": request_id, "status": "pending_review",
                         "message": "sender ID deletion request submitted for review"})
