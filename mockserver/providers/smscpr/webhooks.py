"""SmscprShaper: DLR payloads (the DeliveryReceipt) per reported state change, and the MO payload for
inbound messages. Core decides when these fire and delivers them; nothing here does HTTP."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import orjson

from mockserver.core.clock import iso_ms
from mockserver.core.models import Account, Inbound
from mockserver.core.notify import OutgoingWebhook, Review, StatusChange
from mockserver.core.store import recipients
from mockserver.providers.smscpr import service_plans
from mockserver.providers.smscpr.receipts import render, seed_shape
from mockserver.providers.smscpr.statuses import reported

if TYPE_CHECKING:
    from mockserver.providers.smscpr.auth import Context

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _json(body: dict) -> str:
    """Compact UTF-8 JSON, keys in order (orjson: a third of json.dumps's time per DLR in a tick)."""
    return orjson.dumps(body).decode()


class SmscprShaper:
    """The WebhookShaper core calls: made from SMSCPR's context (Provider.shaper), as every provider's is."""

    def __init__(self, ctx: Context) -> None:
        self.rt, self.settings = ctx.runtime, ctx.settings

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]:
        """One receipt to the message's callbackUrl (else the account's DLR URL) per reported change."""
        if not reported(change.status, self.settings.dlr_intermediate):
            return []
        url = change.message.callback_url or change.account.dlr_url
        if not url:
            return []
        # Read inside the scheduler's transaction, so sent_at/done_at are this step's values.
        rec = recipients.as_changed(self.rt.db.conn(), change)
        sent_at, done_at = (rec.sent_at, rec.done_at) if rec is not None else (None, None)
        body = render(service_plans.account_id_of(change.account), change.message, change.msisdn, change.status,
                      sent_at, done_at)
        if self.settings.dlr_shape == "seed":
            body = seed_shape(body)
        # One ordering key per message: the dispatcher never lets DELIVERED overtake DISPATCHED.
        return [OutgoingWebhook(url=url, body=_json(body), kind="dlr",
                                ordering_key=f"smscpr:{change.message.public_id}")]

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]:
        """The MO payload for the account's inbound URL."""
        if not account.mo_url:
            return []
        body = _json(self.mo_payload(inbound, account))
        return [OutgoingWebhook(url=account.mo_url, body=body, kind="mo", ordering_key=f"smscpr-mo:{account.id}")]

    def mo_payload(self, inbound: Inbound, account: Account) -> dict:
        try:
            meta = json.loads(inbound.meta or "{}")
        except ValueError:
            meta = {}
        owned = service_plans.plans_of(account)
        plan = (meta.get("servicePlanId") if isinstance(meta, dict) else None) or (owned[0] if owned else "")
        msg_id = inbound.public_id if _UUID_RE.fullmatch(inbound.public_id or "") else self.rt.ids.uuid7()
        words = inbound.body.split()
        return {
            "servicePlanId": plan,
            "msgId": msg_id,
            "channel": "SMS",
            "direction": "MO",
            "from": inbound.sender,
            "to": inbound.recipient,
            "keyword": words[0] if words else "",
            "body": inbound.body,
            "receivedAt": iso_ms(inbound.received_at),
        }

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]:
        return []  # SMSCPR has no template or sender review
