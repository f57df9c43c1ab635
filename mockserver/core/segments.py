"""SMS encoding detection (GSM-7 vs UCS-2) and part counting, independent of any provider.

Per-part capacities are parameters so providers with non-standard rules (e.g. a flat 70) can reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class Segmentation:
    encoding: Encoding
    units: int  # GSM-7 septets (extension chars count 2) or UTF-16 code units (emoji = 2)
    parts: int  # empty text is 1 part with 0 units
    per_part: int  # capacity per part used for this count (single or multi)


# GSM 03.38 basic table. The escape char (0x1B) is deliberately absent: it is not a user character.
GSM_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + char, so it costs 2 septets.
GSM_EXTENSION: frozenset[str] = frozenset("^{}\\[~]|€\x0c")
GSM_ALL: frozenset[str] = GSM_BASIC | GSM_EXTENSION

_ASCII_BASIC: frozenset[str] = frozenset(c for c in GSM_BASIC if c.isascii())


def is_gsm7(text: str) -> bool:
    """True if every character is in the GSM 03.38 basic or extension table."""
    return GSM_ALL.issuperset(text)


def _greedy_parts(costs: list[int], capacity: int) -> int:
    # A 2-unit character (GSM escape pair, UTF-16 surrogate pair) may not straddle a
    # part boundary, so it moves whole to the next part; this can add a part over ceil().
    parts, used = 1, 0
    for cost in costs:
        if used + cost > capacity:
            parts += 1
            used = cost
        else:
            used += cost
    return parts


def _count(units: int, single: int, multi: int, costs: list[int] | None) -> tuple[int, int]:
    """(parts, per_part). `costs` is only needed when some character costs 2 units."""
    if units <= single:
        return 1, single
    if costs is None:
        return -(-units // multi), multi
    return _greedy_parts(costs, multi), multi


def segment(
    text: str,
    *,
    gsm_single: int = 160,
    gsm_multi: int = 153,
    ucs2_single: int = 70,
    ucs2_multi: int = 67,
) -> Segmentation:
    """Detect the encoding of `text` and count its parts."""
    # Fast path: plain ASCII that needs no escapes is 1 septet per character.
    if text.isascii() and _ASCII_BASIC.issuperset(text):
        units = len(text)
        parts, per_part = _count(units, gsm_single, gsm_multi, None)
        return Segmentation(Encoding.GSM7, units, parts, per_part)

    chars = set(text)
    if chars <= GSM_ALL:
        ext = chars & GSM_EXTENSION
        units = len(text) + sum(text.count(c) for c in ext)
        costs = [2 if c in ext else 1 for c in text] if ext and units > gsm_single else None
        parts, per_part = _count(units, gsm_single, gsm_multi, costs)
        return Segmentation(Encoding.GSM7, units, parts, per_part)

    units = len(text.encode("utf-16-le")) // 2
    has_pairs = units != len(text)
    costs = [2 if ord(c) > 0xFFFF else 1 for c in text] if has_pairs and units > ucs2_single else None
    parts, per_part = _count(units, ucs2_single, ucs2_multi, costs)
    return Segmentation(Encoding.UCS2, units, parts, per_part)
