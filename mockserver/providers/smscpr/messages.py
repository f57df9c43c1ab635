"""Sending one MT message and reading its DeliveryReceipt back: the logic behind the routes.

Checks run before anything is stored (plan ownership, part limit); core's submit_grouped() takes credits
and stores the message in one transaction, so a refused send leaves nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.core import segments
from mockserver.core.lifecycle import Status
from mockserver.core.sending import Submission, submit_grouped
from mockserver.core.store import messages, recipients
from mockserver.providers.smscpr import NAME, service_plans
from mockserver.providers.smscpr.auth import Caller
from mockserver.providers.smscpr.errors import invalid, not_found
from mockserver.providers.smscpr.receipts import pricing, render
from mockserver.providers.smscpr.schemas import SendSmsRequest
from mockserver.providers.smscpr.settings import SmscprSettings

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime


async def send(runtime: Runtime, settings: SmscprSettings, caller: Caller, req: SendSmsRequest) -> dict:
    """Accept one message and return its receipt in state QUEUED. On the event loop, as Cast's and me-sms's
    single sends: the message joins the group writer's next commit (no worker-thread hop, no commit of its
    own); only a plan claim (a write) goes to a thread."""
    await service_plans.authorize_async(runtime, caller.account, req.servicePlanId)
    parts = segments.segment(req.body).parts
    if parts > settings.max_parts:
        raise invalid("body", f"needs {parts} SMS parts; at most {settings.max_parts} are allowed",
                      status=422, code="MESSAGE_TOO_LONG")
    meta = {"servicePlanId": req.servicePlanId, **pricing(settings, req.to, parts)}
    inserted = await submit_grouped(runtime, Submission(
        provider=NAME, account_id=caller.account.id, public_id=runtime.ids.uuid7(), body=req.body,
        numbers=[req.to], sender=req.from_, callback_url=req.callbackUrl,
        notify=bool(req.callbackUrl or caller.account.dlr_url), sandbox=bool(caller.key.sandbox), meta=meta,
    ))
    return render(service_plans.account_id_of(caller.account), inserted.message, req.to, Status.QUEUED, None, None)


def receipt(runtime: Runtime, caller: Caller, msg_id: str) -> dict:
    """The receipt of one of the caller's messages; 404 for unknown ids and other accounts' messages."""
    conn = runtime.db.conn()
    msg = messages.by_public_id(conn, NAME, msg_id)
    if msg is None or msg.account_id != caller.account.id or msg.first_recipient_id is None:
        raise not_found(f"message {msg_id} not found")
    rec = recipients.get(conn, msg.first_recipient_id)
    return render(service_plans.account_id_of(caller.account), msg, rec.msisdn, rec.status, rec.sent_at, rec.done_at)
