"""A big send body parsed in slices: the `msisdns` array (up to 2M numbers, ~28 MB) is cut at item
boundaries and each window parsed alone, so no single C call holds the GIL for long.

Why: one orjson.loads of a 2M-number body held the GIL ~130-220 ms, and every request the event loop
served meanwhile (even /_mock/health) waited that long (bench/mesms_scale.py). Windows of WINDOW bytes
parse in well under a millisecond each; the worker thread drops the GIL between them.

The fast path applies to a body with no backslash (so every '"' delimits a string) and exactly one
"msisdns" token; anything else, or any window that fails to parse, returns None and the caller parses
the whole body as before (same answers, same errors). A window cut anywhere but between two items
breaks string or bracket balance and fails to parse, so a wrong cut can never pass silently.
"""

from __future__ import annotations

from typing import Any

import orjson

KEY = b'"msisdns"'
#: Bodies smaller than this parse in one call (well under 10 ms).
MIN_BYTES = 1 << 20
#: Array text per window: ~18k numbers, ~0.6 ms of orjson.
WINDOW = 256 * 1024
#: Scans over the body (finds, counts) go this many bytes per C call.
SCAN = 1 << 20
_SPACE = b" \t\r\n"


def loads(raw: bytes) -> Any:
    """orjson.loads(raw), the `msisdns` array parsed window by window when the body is big; raises
    orjson.JSONDecodeError like orjson.loads for a body that is not JSON."""
    if len(raw) >= MIN_BYTES:
        data = _sliced(raw)
        if data is not None:
            return data
    return orjson.loads(raw)


def _sliced(raw: bytes) -> dict | None:
    if _find(raw, b"\\") != -1:
        return None
    at = _find(raw, KEY)
    if at == -1 or _find(raw, KEY, at + 1) != -1:
        return None
    opening = _skip_space(raw, at + len(KEY))
    if raw[opening:opening + 1] != b":":
        return None  # the token is a string value, not a key
    opening = _skip_space(raw, opening + 1)
    if raw[opening:opening + 1] != b"[":
        return None
    closing = _array_end(raw, opening)
    if closing is None:
        return None
    try:
        rest = orjson.loads(raw[:at] + KEY + b":[]" + raw[closing + 1:])
        if not isinstance(rest, dict) or rest.get("msisdns") != []:
            return None  # the key was nested, not the body's own
        rest["msisdns"] = _items(raw, opening + 1, closing)
    except (orjson.JSONDecodeError, _TrailingComma):
        return None
    return rest


class _TrailingComma(Exception):
    pass


def _items(raw: bytes, start: int, end: int) -> list:
    """The array items between raw[start] and raw[end] (exclusive), window by window."""
    items: list = []
    if not raw[start:end].strip(_SPACE):
        return items
    while True:
        cut = raw.find(b'",', start + WINDOW, end) if end - start > WINDOW else -1
        if cut == -1:
            if items and not raw[start:end].strip(_SPACE):
                raise _TrailingComma  # '["a",]' is not JSON: the whole-body parse says so
            items.extend(orjson.loads(b"[" + raw[start:end] + b"]"))
            return items
        items.extend(orjson.loads(b"[" + raw[start:cut + 1] + b"]"))
        start = cut + 2


def _array_end(raw: bytes, opening: int) -> int | None:
    """Index of the ']' closing the array at `opening`: the first ']' after an even number of quotes
    (strings hold no '"' without a backslash). None after a few candidates inside strings."""
    quotes, scanned = 0, opening
    closing = raw.find(b"]", opening)
    for _ in range(16):
        if closing == -1:
            return None
        quotes += _count(raw, b'"', scanned, closing)
        scanned = closing
        if quotes % 2 == 0:
            return closing
        closing = raw.find(b"]", closing + 1)
    return None


def _find(raw: bytes, token: bytes, start: int = 0) -> int:
    for at in range(start, len(raw), SCAN):
        found = raw.find(token, at, at + SCAN + len(token) - 1)
        if found != -1:
            return found
    return -1


def _count(raw: bytes, byte: bytes, start: int, end: int) -> int:
    return sum(raw.count(byte, at, min(at + SCAN, end)) for at in range(start, end, SCAN))


def _skip_space(raw: bytes, at: int) -> int:
    while raw[at:at + 1] and raw[at:at + 1] in _SPACE:
        at += 1
    return at
