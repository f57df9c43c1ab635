"""EngageLab callbacks: {"total": N, "rows": [...]} envelopes (message status, uplink, template audit),
the optional X-CALLBACK-ID signature, and the {} probe sent when a callback URL is configured.

Rows follow the platform's callback doc (verbatim from its OTP twin; see vendor-contracts §3.2). Core
decides when they are built and delivers them; one ordering key per target message keeps them in order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mockserver.core.models import Account, Inbound, Message
from mockserver.core.notify import OutgoingWebhook, Review, StatusChange
from mockserver.core.store import recipients
from mockserver.providers.engagelab import statuses
from mockserver.providers.engagelab.settings import EngageLabSettings
from mockserver.providers.engagelab.statuses import Word

if TYPE_CHECKING:
    from mockserver.providers.engagelab.auth import Context

SERVER = "sms"


@dataclass
class Target:
    """One target of a plan as the accept-time rows need it."""

    message_id: str
    to: str
    word: Word  # TARGET_VALID or a target_invalid word


@lru_cache(maxsize=512)
def plan_meta(meta_text: str) -> dict[str, Any]:
    return json.loads(meta_text or "{}")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sign(secret: str, timestamp: str, nonce: str, username: str) -> str:
    """hex(HMAC-SHA256(key=secret, msg=timestamp + nonce + username)), as EngageLab documents."""
    return hmac.new(secret.encode(), f"{timestamp}{nonce}{username}".encode(), hashlib.sha256).hexdigest()


def signing_of(account: Account) -> dict[str, str]:
    """What X-CALLBACK-ID needs (stored with each queued callback), if the account has callback_username
    and callback_secret; core asks sign_headers() for the header at every attempt."""
    extra = json.loads(account.extra or "{}")
    username, secret = extra.get("callback_username"), extra.get("callback_secret")
    return {"username": str(username), "secret": str(secret)} if username and secret else {}


def callback_id(runtime, signing: dict[str, str], now: float) -> dict[str, str]:
    """X-CALLBACK-ID with wall-clock `now`: the receiver checks it against its own clock (300 s window),
    so sandbox time would fail after any clock advance. Payload times (itime) stay sandbox time."""
    if not signing:
        return {}
    timestamp, nonce, username = str(int(now)), str(runtime.ids.bits(31)), signing["username"]
    return {"X-CALLBACK-ID": (f"timestamp={timestamp};nonce={nonce};username={username};"
                              f"signature={sign(signing['secret'], timestamp, nonce, username)}")}


def passthrough_headers(account: Account) -> dict[str, str]:
    """The account's callback_authorization, sent as Authorization on every callback."""
    extra = json.loads(account.extra or "{}")
    return {"Authorization": str(extra["callback_authorization"])} if extra.get("callback_authorization") else {}


def callback_headers(runtime, account: Account) -> dict[str, str]:
    """Headers of a callback sent at once (the URL probe): signed now, Authorization passed through."""
    return {**callback_id(runtime, signing_of(account), time.time()), **passthrough_headers(account)}


def envelope(runtime, account: Account, url: str, rows: list[dict], kind: str, key: str = "") -> OutgoingWebhook:
    return OutgoingWebhook(url=url, body=_dumps({"total": len(rows), "rows": rows}),
                           headers=passthrough_headers(account), signing=signing_of(account),
                           kind=kind, ordering_key=key)


def ordering_key(message_id: str) -> str:
    return f"engagelab:{message_id}"


def message_row(settings: EngageLabSettings, msg: Message, account: Account, message_id: str, to: str,
                word: Word, itime: float) -> dict[str, Any]:
    meta = plan_meta(msg.meta)
    status: dict[str, Any] = {
        "message_status": word.message_status,
        "status_data": {"msg_time": int(msg.created_at), "message_id": message_id, "current_send_channel": SERVER,
                        "template_key": meta.get("template_id", ""), "business_id": account.id},
    }
    if word.message_status == "sent":  # the doc: billing "generally included only for the sent stage"
        status["billing"] = {"cost": round(msg.parts * settings.price_per_part, 6), "currency": settings.currency}
    status["error_code"] = word.error_code
    if word.error_code:
        status["error_detail"] = {"message": word.detail}
    row: dict[str, Any] = {"message_id": message_id, "to": to, "server": SERVER, "channel": SERVER,
                           "itime": int(itime)}
    if meta.get("custom_args") is not None:
        row["custom_args"] = meta["custom_args"]
    row["status"] = status
    return row


def accept_webhooks(runtime, settings: EngageLabSettings, account: Account, msg: Message,
                    targets: list[Target]) -> list[OutgoingWebhook]:
    """plan + target_valid/target_invalid for each target, one POST (total 2) per target message."""
    url = account.dlr_url
    if not url:
        return []
    now = msg.created_at
    return [envelope(runtime, account, url, [message_row(settings, msg, account, t.message_id, t.to, statuses.PLAN, now),
                                             message_row(settings, msg, account, t.message_id, t.to, t.word, now)],
                     "dlr", ordering_key(t.message_id)) for t in targets]


class EngageLabShaper:
    """The WebhookShaper core calls on recipient changes, injected inbound messages and reviews."""

    def __init__(self, ctx: Context) -> None:
        self.rt, self.settings = ctx.runtime, ctx.settings

    def sign_headers(self, signing: dict[str, str], now: float) -> dict[str, str]:
        """Core calls this at every attempt, with wall-clock `now`."""
        return callback_id(self.rt, signing, now)

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]:
        word = statuses.word_for(change.status)
        url = change.account.dlr_url
        if word is None or not url:
            return []
        rec = recipients.as_changed(self.rt.db.conn(), change)
        message_id = (rec.public_id if rec is not None else None) or str(change.recipient_id)
        row = message_row(self.settings, change.message, change.account, message_id, change.msisdn, word, change.at)
        return [envelope(self.rt, change.account, url, [row], "dlr", ordering_key(message_id))]

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]:
        """An uplink_message row, to the MO URL if the account has one, else to its callback URL (designed)."""
        url = account.mo_url or account.dlr_url
        if not url:
            return []
        row = {"server": SERVER, "itime": int(inbound.received_at), "message_id": "0", "business_id": "0",
               "response": {"event": "uplink_message", "response_data": {
                   "message_sid": inbound.public_id, "account_sid": account.id, "from": inbound.sender,
                   "to": inbound.recipient, "body": inbound.body}}}
        return [envelope(self.rt, account, url, [row], "mo")]

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]:
        """template_audit_result for templates; signature reviews have no documented event, so none."""
        url = account.dlr_url
        if review.kind != "template" or not url:
            return []
        row = {"server": SERVER, "itime": int(review.at), "notification": {
            "event": "template_audit_result", "notification_data": {
                "business_id": account.id, "template_id": review.public_id,
                "status": statuses.review_code(review.status), "reason": review.remark}}}
        return [envelope(self.rt, account, url, [row], "notification")]


def callback_check(runtime, account: Account, url: str) -> OutgoingWebhook:
    """The probe EngageLab POSTs when a callback URL is configured: {} (signed like any callback)."""
    return OutgoingWebhook(url=url, body="{}", headers=callback_headers(runtime, account), kind="check")
