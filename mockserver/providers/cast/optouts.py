"""Cast opt-outs (unsubscribe links and the subscribers who used them), kept in the account's `extra`
JSON: each entry holds the number as registered (`phone`, what account/unsubscribed lists) and normalised
(`number`, what sends are matched against)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mockserver.core.store import cache

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

#: Cast's words for a send to an opted-out subscriber (its ALREADY_UNSUBSCRIBED text).
MESSAGE = "phone number is already unsubscribed from this sender ID"


def book(extra: dict) -> dict:
    """The account's opt-out book inside `extra` (created on first use)."""
    return extra.setdefault("unsubscribe", {"tokens": {}, "list": []})


def number_of(entry: dict) -> str:
    return entry.get("number") or entry["phone"]


def blocked(runtime: Runtime, account_id: str, sender: str | None) -> set[str]:
    """Normalised numbers that opted out of `sender` on this account."""
    acc = cache.account(runtime.db, account_id)
    extra = json.loads(acc.extra or "{}") if acc is not None else {}
    return {number_of(o) for o in extra.get("unsubscribe", {}).get("list", []) if o["sender_id"] == sender}
