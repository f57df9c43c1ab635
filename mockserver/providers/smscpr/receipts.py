"""The DeliveryReceipt object, shared by the send response, the status and list endpoints and the DLR
webhook, plus the price / ptf / mccmnc fixed when a message is accepted.

Field order follows the vendor's DLR example; fields after `errorMessage` are DESIGNED.
"""

from __future__ import annotations

from typing import Any, Mapping

import orjson

from mockserver.core import phone
from mockserver.core.clock import iso_ms
from mockserver.core.models import Message
from mockserver.providers.smscpr.settings import SmscprSettings
from mockserver.providers.smscpr.statuses import NOT_CHARGED, error_of, is_final, vendor_status

#: The eleven fields of the vendor's DLR example (MOCKSERVER_SMSCPR_DLR_SHAPE=seed sends only these).
SEED_FIELDS = ("accountId", "servicePlanId", "msgId", "channel", "direction", "from", "to", "body",
               "status", "errorCode", "errorMessage")


def pricing(settings: SmscprSettings, to: str, parts: int) -> dict[str, Any]:
    """price, ptf and mccmnc of a message, stored in its meta at acceptance and shown once final."""
    ptf = settings.ptf_per_part_nanp if to.startswith("+1") else 0.0
    return {"price": round(parts * settings.price_per_part, 6), "ptf": round(parts * ptf, 6),
            "mccmnc": phone.carrier_mccmnc(to)}


def meta_of(meta_text: str | None) -> dict[str, Any]:
    try:
        data = orjson.loads(meta_text or "{}")  # read per DLR in a tick: orjson, not json
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def render(account_id: str, msg: Message, msisdn: str, status: str,
           sent_at: float | None, done_at: float | None) -> dict[str, Any]:
    """A DeliveryReceipt for `msg` as it stood in neutral `status`."""
    return render_row(account_id, {k: getattr(msg, k) for k in _MESSAGE_COLUMNS}, msisdn, status, sent_at, done_at)


_MESSAGE_COLUMNS = ("public_id", "sender", "body", "callback_url", "parts", "created_at", "meta")


def render_row(account_id: str, row: Mapping[str, Any], msisdn: str, status: str,
               sent_at: float | None, done_at: float | None) -> dict[str, Any]:
    """The same from a message row (a sqlite3.Row of store.message_lists.list_newest or a dict): no model objects."""
    meta = meta_of(row["meta"])
    code, text = error_of(status)
    final = is_final(status)
    charged = final and status not in NOT_CHARGED
    return {
        "accountId": account_id,
        "servicePlanId": meta.get("servicePlanId"),
        "msgId": row["public_id"],
        "channel": "SMS",
        "direction": "MT",
        "from": row["sender"],
        "to": msisdn,
        "body": row["body"],
        "status": vendor_status(status),
        "errorCode": code,
        "errorMessage": text,
        "callbackUrl": row["callback_url"],
        "parts": row["parts"],
        "createdAt": iso_ms(row["created_at"]),
        "sentAt": iso_ms(sent_at) if final else None,
        "doneAt": iso_ms(done_at) if final else None,
        "price": (meta.get("price") if charged else 0.0) if final else None,
        "ptf": (meta.get("ptf") if charged else 0.0) if final else None,
        "mccmnc": meta.get("mccmnc") if final else None,
    }


def seed_shape(receipt: dict[str, Any]) -> dict[str, Any]:
    return {k: receipt[k] for k in SEED_FIELDS}
