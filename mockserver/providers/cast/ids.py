"""Cast message ids: a prefix, 8 hex of a per-request salt, then 8 hex of the recipient row id.

One id per destination (Cast logs each destination separately) without an extra column: the row id
finds the recipient, the salt (kept in the message's public_id) proves the id was issued.
"""

from __future__ import annotations

import re

SMS = "CAST"
SANDBOX = "SANDBOX_"
VIBER = "cstvbr_"
_ID = re.compile(r"(SANDBOX_|cstvbr_|CAST)([0-9a-f]{8})([0-9a-f]{8})")


def batch_id(prefix: str, salt: str) -> str:
    """The message's public_id: prefix + salt."""
    return f"{prefix}{salt}"


def make(batch: str, recipient_id: int) -> str:
    return f"{batch}{recipient_id:08x}"


def parse(message_id: str) -> tuple[str, int] | None:
    """(batch public_id, recipient row id), or None when the text is not a Cast id."""
    m = _ID.fullmatch(message_id)
    if m is None:
        return None
    return m.group(1) + m.group(2), int(m.group(3), 16)
