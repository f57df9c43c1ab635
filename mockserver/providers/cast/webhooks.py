"""CastShaper: Cast documents no DLR or MO webhooks, so both payloads here are DESIGNED and only sent
when the account has a dlr_url / mo_url. The DLR body mirrors GET /sms/status (plus event, to)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mockserver.core.models import Account, Inbound
from mockserver.core.notify import OutgoingWebhook, Review, StatusChange
from mockserver.core.store import recipients
from mockserver.providers.cast import ids, views

if TYPE_CHECKING:
    from mockserver.providers.cast.auth import Context


def _dumps(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class CastShaper:
    """The WebhookShaper core calls: made from Cast's context (Provider.shaper), as every provider's is."""

    def __init__(self, ctx: Context) -> None:
        self.rt, self.settings = ctx.runtime, ctx.settings

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]:
        url = change.account.dlr_url
        if not url:
            return []
        # The scheduler calls this inside its write transaction on this thread's connection.
        rec = recipients.as_changed(self.rt.db.conn(), change)
        msg = change.message
        sent_at = views.sent_at_of(msg, rec) if rec is not None else None
        done_at = rec.done_at if rec is not None else change.at
        view = views.viber_status_body if msg.channel == "viber" else views.status_body
        body = view(msg.public_id, change.recipient_id, change.status, sent_at, done_at)
        body.pop("success", None)
        body = {"event": "message.status", **body, "to": change.msisdn, "message_type": msg.channel}
        message_id = ids.make(msg.public_id, change.recipient_id)
        return [OutgoingWebhook(url=url, body=_dumps(body), headers={"X-Cast-Event": "message.status"},
                                kind="dlr", ordering_key=message_id)]

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]:
        if not account.mo_url:
            return []
        body = {"event": "message.inbound", "id": inbound.public_id, "from": inbound.sender,
                "to": inbound.recipient, "message": inbound.body, "received_at": views.timestamp(inbound.received_at)}
        return [OutgoingWebhook(url=account.mo_url, body=_dumps(body), headers={"X-Cast-Event": "message.inbound"},
                                kind="mo", ordering_key=f"mo:{account.id}")]

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]:
        return []  # Cast reviews sender IDs by hand and tells nobody by webhook
