"""Cast's JSON views of stored rows: message ids, timestamps, /sms/status, /sms/logs and Viber status
bodies. Shared by the routes and the webhook shaper so both say the same thing."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mockserver.core.lifecycle import Status
from mockserver.providers.cast import ids, statuses

def timestamp(epoch: float | None) -> str | None:
    """RFC 3339 in UTC like Go's time.Time JSON: milliseconds only when non-zero."""
    if epoch is None:
        return None
    total_ms = round(epoch * 1000)
    dt = datetime.fromtimestamp(total_ms // 1000, tz=timezone.utc)
    base, ms = dt.strftime("%Y-%m-%dT%H:%M:%S"), total_ms % 1000
    return f"{base}.{ms:03d}".rstrip("0") + "Z" if ms else base + "Z"


def sent_at_of(msg, rec) -> float | None:
    """A destination's one `sent_at`: Cast answers `sent` as soon as it submits (the send's answer, or the
    schedule firing), so that moment, never the later SMPP step; None while it is still scheduled (or was
    never submitted). /sms/status, /viber/status and the status callbacks all show this one value."""
    if rec.status == Status.SCHEDULED:
        return None
    if msg.scheduled_at is None:
        return msg.created_at
    return msg.scheduled_at if rec.sent_at is not None or rec.status == Status.QUEUED else None


def status_body(public_id: str, recipient_id: int, status: str, sent_at: float | None,
                done_at: float | None) -> dict[str, Any]:
    """The /sms/status (and /sim/status) body for one destination."""
    out: dict[str, Any] = {"success": True, "message_id": ids.make(public_id, recipient_id),
                           "status": statuses.status_word(status), "sent_at": timestamp(sent_at)}
    dlr = statuses.DLR_STATUS.get(Status(status))
    if dlr is not None:
        out["dlr_status"] = dlr
    if status == Status.DELIVERED:
        out["delivered_at"] = timestamp(done_at)
    error = statuses.ERROR_MESSAGE.get(Status(status))
    if error is not None:
        out["error_message"] = error
    return out


def log_entry(row) -> dict[str, Any]:
    """One /sms/logs entry from a store.history row."""
    status = row["status"]
    out: dict[str, Any] = {
        # v1 doc #15: `id` is the log row's integer id; `smpp_message_id` is the CAST… id a send answered
        "id": row["recipient_id"], "message_type": row["channel"],
        "sender_id": row["sender"], "destination": row["msisdn"], "message": row["body"],
        "smpp_message_id": ids.make(row["public_id"], row["recipient_id"]), "status": statuses.log_status(status),
        "parts": row["parts"], "created_at": timestamp(row["created_at"]),
    }
    dlr = statuses.DLR_STATUS.get(Status(status))
    if dlr is not None:
        out["dlr_status"] = dlr
    if status == Status.DELIVERED:
        out["delivered_at"] = timestamp(row["done_at"])
    return out


def viber_status_body(public_id: str, recipient_id: int, status: str, sent_at: float | None,
                      done_at: float | None) -> dict[str, Any]:
    """v1 doc #8; delivery_status and delivered_at are omitted until a receipt exists."""
    word = statuses.status_word(status)
    out: dict[str, Any] = {
        "success": True, "message_id": ids.make(public_id, recipient_id),
        "status": word if word in ("scheduled", "failed") else "sent", "sent_at": timestamp(sent_at),
    }
    code = statuses.VIBER_DELIVERY.get(Status(status))
    if code is not None:
        out["delivery_status"] = code
    if status == Status.DELIVERED:
        out["delivered_at"] = timestamp(done_at)
    return out
