"""Neutral statuses in SMSCPR's words, the DLR error code of each, and which changes get a receipt.

Only QUEUED and DELIVERED (and errorCode "000" / "No error") come from the vendor; the rest is
DESIGNED after Sinch's upper-case statuses (DISPATCHED, UNKNOWN) and documented in the provider docs.
"""

from __future__ import annotations

from mockserver.core.lifecycle import FINAL, Status

VENDOR_STATUS: dict[str, str] = {
    Status.SCHEDULED: "QUEUED",
    Status.QUEUED: "QUEUED",
    Status.SENT: "DISPATCHED",
    Status.DELIVERED: "DELIVERED",
    Status.UNDELIVERED: "UNDELIVERED",
    Status.FAILED: "FAILED",
    Status.EXPIRED: "EXPIRED",
    Status.REJECTED: "REJECTED",
    Status.INVALID: "REJECTED",
    Status.BLOCKED: "BLOCKED",
    Status.TIMEOUT: "UNKNOWN",  # Sinch's word for "no receipt came from the carrier in time"
    Status.CANCELLED: "CANCELLED",
}

#: Every word a client can see or filter on, in lifecycle order.
VENDOR_WORDS: tuple[str, ...] = tuple(dict.fromkeys(VENDOR_STATUS.values()))

OK = ("000", "No error")

#: (errorCode, errorMessage) per neutral status; statuses not listed carry OK.
ERROR_OF: dict[str, tuple[str, str]] = {
    Status.FAILED: ("101", "Submission to the carrier failed"),
    Status.REJECTED: ("102", "Destination rejected by the carrier"),
    Status.INVALID: ("103", "Invalid destination number"),
    Status.UNDELIVERED: ("201", "Handset unreachable or absent subscriber"),
    Status.EXPIRED: ("202", "Validity period expired before delivery"),
    Status.BLOCKED: ("203", "Destination blocked (blocklist or opt-out)"),
    Status.TIMEOUT: ("204", "No delivery receipt from the carrier within the receipt window"),
    Status.CANCELLED: ("301", "Message cancelled before it was sent"),
}

#: Final statuses reached without the carrier taking the message: nothing is charged.
NOT_CHARGED = frozenset({Status.FAILED, Status.REJECTED, Status.INVALID, Status.CANCELLED})


def vendor_status(neutral: str) -> str:
    return VENDOR_STATUS.get(neutral, "UNKNOWN")


def error_of(neutral: str) -> tuple[str, str]:
    return ERROR_OF.get(neutral, OK)


def neutral_statuses(word: str) -> list[str]:
    """The neutral statuses shown as `word` (for list filters); [] for an unknown word."""
    return [str(n) for n, v in VENDOR_STATUS.items() if v == word]


def is_final(neutral: str) -> bool:
    return neutral in FINAL


def reported(neutral: str, intermediate: bool) -> bool:
    """Whether a change to `neutral` sends a receipt: finals always, DISPATCHED when `intermediate`.

    QUEUED is never reported: the send response already carries it.
    """
    return is_final(neutral) or (intermediate and neutral == Status.SENT)
