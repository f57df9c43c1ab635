"""Find what a test usually wants from an SMS body: its one-time codes and its links.

Heuristic and provider-neutral: codes are 4-8 digit runs (or "123 456" / "123-456") that are not
part of a longer number, a decimal, a time or a link; the OTP is the first code after a keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
_CODE = re.compile(r"(?<![\d+.,:/#])(\d{3}[ -]\d{3}|\d{4,8})(?!\d|[.,:/]\d)")
_KEYWORD = re.compile(
    r"(?i)\b(?:code|otp|pin|passcode|password|verification|verify|token|kode|c[oó]digo|mã)\b|验证码|認証"
)
_TRAILING = ".,;:!?)]}'\""


@dataclass
class Extracted:
    otp: str | None = None
    codes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

def links(text: str) -> list[str]:
    out: list[str] = []
    for match in _LINK.finditer(text or ""):
        url = match.group(0).rstrip(_TRAILING)
        if url not in out:
            out.append(url)
    return out


def codes(text: str) -> list[tuple[int, str]]:
    """(position, code) pairs, links blanked out first so digits inside URLs never count."""
    blanked = _LINK.sub(lambda m: " " * len(m.group(0)), text or "")
    out: list[tuple[int, str]] = []
    for match in _CODE.finditer(blanked):
        code = re.sub(r"[ -]", "", match.group(1))
        if code not in (c for _, c in out):
            out.append((match.start(), code))
    return out


def extract(text: str) -> Extracted:
    found = codes(text)
    keyword = _KEYWORD.search(text or "")
    otp = None
    if found:
        after = [c for pos, c in found if keyword is not None and pos >= keyword.start()]
        otp = after[0] if after else found[0][1]
    return Extracted(otp=otp, codes=[c for _, c in found], links=links(text))
