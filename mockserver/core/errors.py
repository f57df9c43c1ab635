"""Neutral domain errors raised by core; each provider maps them to its own envelope.

    CoreError
     ├── InsufficientCredits(need, have)
     ├── NotFound(what)
     └── InvalidState(current)
"""

from __future__ import annotations


class CoreError(Exception):
    """Base of every error core raises. Carries no HTTP status and no vendor code."""


class InsufficientCredits(CoreError):
    def __init__(self, need: int, have: int) -> None:
        super().__init__(f"insufficient credits: need {need}, have {have}")
        self.need = need
        self.have = have


class NotFound(CoreError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")
        self.what = what


class InvalidState(CoreError):
    """An operation that the object's current state does not allow (e.g. cancel after sending)."""

    def __init__(self, current: str, message: str = "") -> None:
        super().__init__(message or f"not allowed in state {current}")
        self.current = current
