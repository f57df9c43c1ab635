"""The text a template send puts on the air: placeholders filled, signature added.

EngageLab's send doc uses {{var}} (an unfilled one is sent literally); its template docs use {var}. Both
are substituted in one pass (PROPOSAL in vendor-contracts §3.1), so a value containing braces is never
substituted again.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}|\{([A-Za-z0-9_.\-]+)\}")

PREFIX, SUFFIX = 1, 2


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fill(content: str, params: Mapping[str, Any]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return _text(params[name]) if name in params else match.group(0)

    return _PLACEHOLDER.sub(replace, content)


def placeholders(content: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in _PLACEHOLDER.finditer(content)]


def with_signature(text: str, sign_name: str | None, position: int, sign_format: str) -> str:
    """Prefix (1) or suffix (2) the rendered signature, e.g. 【EngageLab】Your code is 1234."""
    if not sign_name or position not in (PREFIX, SUFFIX):
        return text
    mark = sign_format.format(name=sign_name)
    return mark + text if position == PREFIX else text + mark
