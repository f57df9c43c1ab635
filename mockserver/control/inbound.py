"""/_mock/inbound: inject a mobile-originated (MO) message for any provider; it is stored and
delivered to the account's inbound URL in that vendor's shape (the provider's WebhookShaper)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field

from mockserver.control import views
from mockserver.control.deps import RuntimeDep, invalid
from mockserver.control.schemas import Inbound as InboundOut, InjectedInbound
from mockserver.core.models import Account, Inbound
from mockserver.core.store import accounts
from mockserver.core.store import inbound as inbox
from mockserver.core.store import webhooks as outbox
from mockserver.core.store.inspect import accounts_with_number
from mockserver.providers import PROVIDERS

router = APIRouter(prefix="/inbound", tags=["inbound"])


class InjectInbound(BaseModel):
    provider: str = Field(examples=["cast"])
    account_id: str | None = Field(default=None, description="Receiving account; default: the account "
                                   "owning `to` as a sender ID / virtual number.")
    from_: str = Field(alias="from", description="The handset's number.", examples=["+639171234567"])
    to: str = Field(description="Your number / sender ID the handset replied to.", examples=["CASTDEMO"])
    body: str = Field(examples=["STOP"])
    meta: dict = Field(default_factory=dict, description="Free-form data kept with the message.")


def _account(conn, body: InjectInbound) -> Account:
    if body.account_id is not None:
        acc = accounts.get(conn, body.account_id)
        if acc is None or acc.provider != body.provider:
            raise HTTPException(404, f"account {body.account_id} of provider {body.provider} not found")
        return acc
    owners = accounts_with_number(conn, body.provider, body.to)
    if len(owners) != 1:
        raise invalid(("body", "account_id"),
                      f"{len(owners)} {body.provider} accounts own {body.to!r} as a sender; pass account_id")
    return accounts.get(conn, owners[0])


def _store(runtime, body: InjectInbound) -> tuple[Inbound, list[int]]:
    shaper = runtime.shapers.get(body.provider)
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        acc = _account(conn, body)
        msg = inbox.add(conn, Inbound(
            public_id=runtime.ids.uuid7(), provider=body.provider, account_id=acc.id, sender=body.from_,
            recipient=body.to, body=body.body, received_at=now, meta=json.dumps(body.meta),
        ))
        hooks = shaper.inbound_webhooks(msg, acc) if shaper is not None else []
        ids = runtime.enqueue(conn, body.provider, acc.id, None, hooks, now)
    runtime.feed.publish("inbound", id=msg.id, provider=msg.provider, account_id=acc.id, sender=msg.sender,
                         recipient=msg.recipient)
    runtime.changed()
    return msg, ids


@router.post("", status_code=201, response_model=InjectedInbound)
async def inject_inbound(body: InjectInbound, runtime: RuntimeDep) -> dict:
    """Inject an MO message; its webhooks are attempted before this answers (see `webhooks`)."""
    if body.provider not in PROVIDERS and body.provider not in runtime.shapers:
        raise HTTPException(404, f"unknown provider {body.provider!r}")
    msg, ids = await asyncio.to_thread(_store, runtime, body)
    if ids:
        await runtime.dispatcher.deliver_due()

    def read() -> list[dict]:
        conn = runtime.db.conn()
        return [views.webhook(outbox.get(conn, i), outbox.attempts(conn, i)) for i in ids]
    return {**views.inbound(msg), "webhooks": await asyncio.to_thread(read)}


@router.get("", response_model=list[InboundOut])
def list_inbound(runtime: RuntimeDep, provider: str | None = None, account_id: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Response:
    """Injected inbound messages, newest first."""
    rows = inbox.list_newest(runtime.db.conn(), provider, account_id, limit)
    return views.listing([views.inbound(m) for m in rows])
