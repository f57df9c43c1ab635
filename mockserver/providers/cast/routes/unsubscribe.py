"""Opt-outs: unsubscribe/token (a link for one subscriber and sender ID), account/unsubscribed, and
the sandbox's stand-in for the link itself (GET /u/{token}, outside /api) so a test can "click" it.

Tokens and opt-outs live in the account's `extra` JSON (optouts.py; there is no opt-out table in core).
"""

from __future__ import annotations

import ipaddress
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mockserver.core.store import accounts
from mockserver.providers.cast import errors, optouts, senders, validation, views
from mockserver.providers.cast.auth import CallerDep, CastRoute, ContextDep
from mockserver.providers.cast import NAME
from mockserver.providers.cast.schemas import UnsubscribeTokenRequest
from mockserver.providers.http import client_ip

router = APIRouter(route_class=CastRoute)
click_router = APIRouter(tags=["sandbox"])


@router.post("/unsubscribe/token")
def create_unsubscribe_token(body: UnsubscribeTokenRequest, caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """An unsubscribe link (valid 7 days) for a subscriber and one of your sender IDs.

    *Designed:* open `/cast/u/<token>` to play the subscriber clicking the link.
    """
    if not body.phone.strip():
        raise errors.bad_request("phone is required")
    number = validation.normalize(body.phone)
    if number is None:
        raise errors.bad_request("invalid phone number")
    if not body.sender_id.strip():
        raise errors.bad_request("sender_id is required")
    if body.sender_id not in {s.name for s in senders.approved(ctx.runtime, caller.account.id)}:
        raise errors.forbidden(f"sender_id '{body.sender_id}' is not allowed for this user", senders.SENDER_CODE)
    rt = ctx.runtime
    now = rt.clock.now()
    expires = now + ctx.settings.unsubscribe_token_ttl
    with rt.db.write() as conn:
        extra = json.loads(accounts.get(conn, caller.account.id).extra or "{}")
        book = optouts.book(extra)
        if any(optouts.number_of(o) == number and o["sender_id"] == body.sender_id for o in book["list"]):
            raise errors.CastError(optouts.MESSAGE, http_status=422, error_code="ALREADY_UNSUBSCRIBED")
        token = rt.ids.hex(16)
        book["tokens"][token] = {"phone": body.phone.strip(), "number": number, "sender_id": body.sender_id,
                                 "expires_at": expires}
        accounts.set_fields(conn, caller.account.id, extra=json.dumps(extra))
    return JSONResponse({"success": True, "link": f"{ctx.settings.unsubscribe_base}/{token}",
                         "expires_at": views.timestamp(expires)})


@router.get("/account/unsubscribed")
def get_unsubscribed(caller: CallerDep, ctx: ContextDep) -> JSONResponse:
    """Subscribers who opted out through an unsubscribe link, newest first, each number as registered."""
    extra = json.loads(accounts.get(ctx.runtime.db.conn(), caller.account.id).extra or "{}")
    rows = sorted(optouts.book(extra)["list"], key=lambda o: o["unsubscribed_at"], reverse=True)
    return JSONResponse({"success": True, "data": [
        {"phone": o["phone"], "sender_id": o["sender_id"], "unsubscribed_at": views.timestamp(o["unsubscribed_at"]),
         "ip": o.get("ip")} for o in rows]})


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@click_router.get("/u/{token}")
def follow_unsubscribe_link(token: str, request: Request, ctx: ContextDep) -> JSONResponse:
    """Sandbox only: what a subscriber opening u.cast.ph/<token> does (opts them out)."""
    rt = ctx.runtime
    now = rt.clock.now()
    with rt.db.write() as conn:
        for acc in accounts.list_all(conn, NAME):
            extra = json.loads(acc.extra or "{}")
            entry = extra.get("unsubscribe", {}).get("tokens", {}).get(token)
            if entry is None:
                continue
            if entry["expires_at"] <= now:
                break
            book = optouts.book(extra)
            del book["tokens"][token]
            book["list"].append({"phone": entry["phone"], "number": optouts.number_of(entry),
                                 "sender_id": entry["sender_id"], "unsubscribed_at": now,
                                 "ip": _valid_ip(client_ip(request))})
            accounts.set_fields(conn, acc.id, extra=json.dumps(extra))
            return JSONResponse({"success": True, "phone": entry["phone"], "sender_id": entry["sender_id"]})
    raise errors.not_found("unsubscribe link not found or expired")


@click_router.post("/u/{token}")
def confirm_unsubscribe_link(token: str, request: Request, ctx: ContextDep) -> JSONResponse:
    """Sandbox only: the same as GET (some unsubscribe pages confirm with a POST)."""
    return follow_unsubscribe_link(token, request, ctx)
