"""Neutral statuses -> EngageLab callback words (message_status) with error_code and error_detail.

The words are documented (plan, target_valid, target_invalid, sent, sent_failed, delivered,
delivered_failed); the error codes are DESIGNED except 4001 "Invalid phone number" (the callback doc's
sent_fail example). Review states map to the config APIs' 1 pending / 2 approved / 3 rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.core.lifecycle import Status


@dataclass(frozen=True)
class Word:
    message_status: str
    error_code: int = 0
    detail: str = ""


PLAN = Word("plan")
TARGET_VALID = Word("target_valid")
TARGET_INVALID = Word("target_invalid", 4001, "Invalid phone number")
COUNTRY_NOT_ALLOWED = Word("target_invalid", 4007, "Target country is not in the template's country_codes")

#: None: the change produces no callback row (the plan/target rows went out at acceptance).
BY_STATUS: dict[str, Word | None] = {
    Status.SCHEDULED: None,
    Status.QUEUED: None,
    Status.SENT: Word("sent"),
    Status.DELIVERED: Word("delivered"),
    Status.FAILED: Word("sent_failed", 4002, "Submission to the carrier failed"),
    Status.REJECTED: Word("sent_failed", 4001, "Invalid phone number"),
    Status.UNDELIVERED: Word("delivered_failed", 4003, "Handset unreachable"),
    Status.EXPIRED: Word("delivered_failed", 4004, "Validity period expired before delivery"),
    Status.BLOCKED: Word("delivered_failed", 4005, "Blocked by the carrier or the user opted out"),
    Status.TIMEOUT: Word("delivered_failed", 4006, "No delivery receipt from the carrier"),
    Status.CANCELLED: Word("sent_failed", 4008, "Plan cancelled before sending"),
    Status.INVALID: TARGET_INVALID,
}

REVIEW_CODES = {"pending": 1, "approved": 2, "rejected": 3}


def word_for(status: str) -> Word | None:
    return BY_STATUS.get(status)


def review_code(status: str) -> int:
    return REVIEW_CODES.get(status, 1)
