"""POST /_mock/messages/{id}/status: force recipients into a status, firing the webhooks it implies."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mockserver.control.deps import MAX_ID, MessageId, RuntimeDep
from mockserver.control.messages import message_views
from mockserver.control.schemas import ForcedStatus
from mockserver.core.engine import transitions

router = APIRouter(prefix="/messages", tags=["transitions"])

ForceableStatus = StrEnum("ForceableStatus", {s.upper(): s for s in sorted(transitions.FORCEABLE)})


class ForceStatus(BaseModel):
    status: ForceableStatus = Field(description="Neutral status to force.")
    recipient_id: int | None = Field(default=None, ge=0, le=MAX_ID, description="One recipient by id.")
    to: str | None = Field(default=None, description="Recipients with this number ('+' optional).")


@router.post("/{message_id}/status", response_model=ForcedStatus)
async def force_status(message_id: MessageId, body: ForceStatus, runtime: RuntimeDep) -> dict:
    """Force one recipient (by id or number), or every open one, into a status; webhooks go out before the answer."""
    forced = await asyncio.to_thread(transitions.force, runtime, message_id, str(body.status.value),
                                     recipient_id=body.recipient_id, to=body.to)
    if forced.webhooks:
        await runtime.dispatcher.deliver_due()
    message = await asyncio.to_thread(message_views, runtime, [forced.message])
    if forced.changed:
        runtime.feed.publish("message.updated", id=message_id, provider=forced.message.provider,
                             account_id=forced.message.account_id, forced=str(body.status.value))
    return {"message": message[0], "changed": forced.changed, "webhooks": forced.webhooks}
