"""Cast's field rules: number, message and sender ID limits (legacy /api vs /api/v1), PH number
normalisation and scheduled_at. Returns error texts or raises CastError; stores nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from mockserver.core import phone
from mockserver.core.clock import parse_iso
from mockserver.providers import fast_path
from mockserver.providers.cast import errors


@dataclass(frozen=True)
class Limits:
    to_max: int
    message_max: int
    sender_max: int


LEGACY = Limits(to_max=15, message_max=450, sender_max=11)
V1 = Limits(to_max=20, message_max=10_000, sender_max=20)
TO_MIN = 7


def path_family_limits(request: Request) -> Limits:
    return V1 if errors.is_v1(request) else LEGACY


@fast_path.plain_dependency(path_family_limits)
async def limits_for(request: Request) -> Limits:  # async: no thread hop for a lookup
    return path_family_limits(request)


LimitsDep = Annotated[Limits, Depends(limits_for)]

_SEPARATORS = re.compile(r"[\s()\-]")
_PH_LOCAL = re.compile(r"09[0-9]{9}")
_PH_INTL = re.compile(r"\+?639[0-9]{9}")
_DIGITS = re.compile(r"\+?[0-9]+")
_TO_CHARS = re.compile(r"[0-9+()\-]+")  # v1 doc: digits and +()- only; a space is refused


def normalize(raw: str) -> str | None:
    """PH 09XXXXXXXXX / 639XXXXXXXXX / +639XXXXXXXXX, or any valid +E.164 -> digits without '+'."""
    s = _SEPARATORS.sub("", raw)
    if _PH_LOCAL.fullmatch(s):
        return "63" + s[1:]
    if _PH_INTL.fullmatch(s):
        return s.lstrip("+")
    if s.startswith("+") and _DIGITS.fullmatch(s):
        parsed = phone.parse(s)
        if parsed is not None and parsed.is_valid:
            return parsed.e164[1:]
    return None


def destination_error(raw: str, limits: Limits) -> str | None:
    """The error text for one destination, or None when it is acceptable."""
    if not raw.strip():
        return "to is required"
    if not TO_MIN <= len(raw) <= limits.to_max:
        return f"to must be {TO_MIN}-{limits.to_max} characters"
    if not _TO_CHARS.fullmatch(raw) or normalize(raw) is None:
        return "invalid phone number"
    return None


def check_to(raw: str, limits: Limits) -> str:
    """Validate a single destination; returns it normalised or raises 400."""
    problem = destination_error(raw, limits)
    if problem is not None:
        raise errors.bad_request(problem)
    return normalize(raw) or raw


def check_message(message: str, limits: Limits) -> None:
    if not message.strip():
        raise errors.bad_request("message is required")
    if len(message) > limits.message_max:
        raise errors.bad_request(f"message is too long (max {limits.message_max} characters)")


def check_sender_length(sender_id: str | None, limits: Limits) -> None:
    if sender_id is not None and len(sender_id) > limits.sender_max:
        raise errors.bad_request(f"sender ID is too long (max {limits.sender_max} characters)")


def check_schedule(value: str | None, now: float, min_lead: float) -> float | None:
    """Epoch seconds of a valid scheduled_at, None when absent; 400 when unparsable or too soon."""
    if value is None or value == "":
        return None
    try:
        at = parse_iso(value)
    except ValueError:
        raise errors.bad_request("scheduled_at must be an ISO 8601 UTC timestamp, e.g. 2030-01-31T09:00:00Z") from None
    if at < now + min_lead:
        raise errors.bad_request(f"scheduled_at must be at least {int(min_lead)} seconds in the future")
    return at


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: str, name: str, utc_offset_hours: float, end: bool = False) -> float:
    """A YYYY-MM-DD day (at the given UTC offset) or an ISO timestamp -> epoch; `end` gives the
    exclusive end of that day. 400 "invalid <name> date" otherwise."""
    try:
        if _DAY.fullmatch(value):
            start = parse_iso(value + "T00:00:00Z") - utc_offset_hours * 3600
            return start + 86_400 if end else start
        at = parse_iso(value)
    except ValueError:
        raise errors.bad_request(f"invalid {name} date, expected YYYY-MM-DD") from None
    return at + 0.001 if end else at
