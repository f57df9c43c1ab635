"""Neutral statuses in me-sms words: per-recipient (pending | success | failed | invalid | blocked |
expired | timeout; never another word, a strict client enum would break) and per-send (sent | failed |
pending | scheduled | cancelled)."""

from __future__ import annotations

from mockserver.core.lifecycle import Status

#: Per-recipient words. The seed lists the words in this order with these meanings (INFERRED pairing).
#: A recipient of a cancelled send is `failed` with `reason: "cancelled"` (DESIGNED: the seven words have
#: none for it, and a strict client enum breaks on an eighth).
RECIPIENT_WORD: dict[str, str] = {
    Status.SCHEDULED: "pending",
    Status.QUEUED: "pending",
    Status.SENT: "pending",  # handed to the carrier, no delivery report yet
    Status.DELIVERED: "success",
    Status.FAILED: "failed",
    Status.UNDELIVERED: "failed",  # phone off / no signal
    Status.REJECTED: "invalid",  # the carrier refused the number
    Status.INVALID: "invalid",
    Status.BLOCKED: "blocked",
    Status.EXPIRED: "expired",
    Status.TIMEOUT: "timeout",
    Status.CANCELLED: "failed",
}
#: Why a recipient is in its word, where the word alone hides it (the item's `reason`).
RECIPIENT_REASON: dict[str, str] = {Status.CANCELLED: "cancelled"}
RECIPIENT_WORDS = ("pending", "success", "failed", "invalid", "blocked", "expired", "timeout")
#: Vendor word -> the neutral statuses it covers (for filters and summaries).
NEUTRAL_OF: dict[str, tuple[str, ...]] = {
    word: tuple(s for s, w in RECIPIENT_WORD.items() if w == word) for word in RECIPIENT_WORDS
}
MESSAGE_WORDS = ("sent", "failed", "pending", "scheduled", "cancelled")


def recipient_word(status: str) -> str:
    return RECIPIENT_WORD.get(status, "pending")


def message_word(status: str, delivered: int) -> str:
    """A send is `sent` once finished with at least one success, `failed` if finished with none (DESIGNED)."""
    if status == Status.SCHEDULED:
        return "scheduled"
    if status == Status.CANCELLED:
        return "cancelled"
    if status == "completed":
        return "sent" if delivered > 0 else "failed"
    return "pending"


def summary(counts: dict[str, int]) -> dict[str, int]:
    """Per-word totals from the kept neutral counters (O(1)); always the seven words, nothing else."""
    out = {word: 0 for word in RECIPIENT_WORDS}
    for status, n in counts.items():
        word = recipient_word(status)
        out[word] = out.get(word, 0) + n
    return out
