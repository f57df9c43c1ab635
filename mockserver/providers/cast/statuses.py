"""Neutral recipient statuses -> Cast's words: /sms/status `status`, /sms/logs `status`, `dlr_status`,
`error_message` and the Viber `delivery_status` code."""

from __future__ import annotations

from mockserver.core.lifecycle import Status

#: /sms/status and /sim/status. "scheduled" is ours: Cast documents no word for a waiting scheduled send.
STATUS = {
    Status.SCHEDULED: "scheduled",
    # v1 doc #16: `sent` = submitted (what a send answers at once), `pending` = ACCEPTD by the carrier
    Status.QUEUED: "sent",
    Status.SENT: "pending",
    Status.TIMEOUT: "pending",  # accepted, and no final receipt ever came
    Status.DELIVERED: "delivered",
    Status.UNDELIVERED: "undelivered",
    Status.EXPIRED: "undelivered",
    Status.BLOCKED: "undelivered",
    Status.FAILED: "failed",
    Status.REJECTED: "failed",
    Status.CANCELLED: "failed",
    Status.INVALID: "failed",
}

#: /sms/logs keeps the submission result (sent | failed; `scheduled` while waiting) and shows the receipt in
#: dlr_status.
LOG_STATUS = {
    Status.SCHEDULED: "scheduled",
    Status.FAILED: "failed",
    Status.REJECTED: "failed",
    Status.CANCELLED: "failed",
    Status.INVALID: "failed",
}

DLR_STATUS = {
    Status.SENT: "ACCEPTD",
    Status.TIMEOUT: "ACCEPTD",
    Status.DELIVERED: "DELIVRD",
    Status.UNDELIVERED: "UNDELIV",
    Status.EXPIRED: "EXPIRED",
    Status.BLOCKED: "REJECTD",
}

ERROR_MESSAGE = {
    Status.FAILED: "SMPP submit failed; credits refunded",
    Status.REJECTED: "destination rejected by the carrier; credits refunded",
    Status.UNDELIVERED: "handset unreachable",
    Status.EXPIRED: "message expired before delivery",
    Status.BLOCKED: "blocked by the carrier",
    Status.CANCELLED: "cancelled; credits refunded",
    Status.INVALID: "invalid destination",
}

#: Viber delivery_status codes (70 delivered, 91 not a Viber user).
VIBER_DELIVERY = {Status.DELIVERED: 70, Status.UNDELIVERED: 91, Status.EXPIRED: 91, Status.BLOCKED: 91}


def status_word(neutral: str) -> str:
    return STATUS.get(Status(neutral), "pending")


def log_status(neutral: str) -> str:
    return LOG_STATUS.get(Status(neutral), "sent")


def log_filter(word: str) -> list[str] | None:
    """Neutral statuses behind a /sms/logs `status` filter word; None for an unknown word."""
    found = [str(s) for s in Status if log_status(s) == word]
    return found or None
