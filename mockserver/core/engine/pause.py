"""Holding the background loops still while an advance walks the clock (core/engine/timetravel.py).

An advance runs every transition and webhook attempt due in its window itself, step by step, at the
sandbox time each was due, and reports what it ran. A background loop working meanwhile took part of
that work: in one process the dispatcher's own pump claimed most of a busy step's webhooks, and with
`serve --workers N` the engine process saw the walk's steps on the shared clock and did the same; their
attempts then ran at a later step's time (the retry ladder's gaps no longer the backoff) and the report
missed them. So a walk holds the background: the walking process says until when (`hold`), and the
scheduler's and dispatcher's background loops skip their work while any hold is live (`held`). A hold
carries a wall-clock deadline, so a walker that dies releases it. Core knows no processes:
mockserver/processes.py keeps the holds of `serve --workers N` in the supervisor's shared table."""

from __future__ import annotations

import time
from typing import Protocol


class BackgroundHold(Protocol):
    def hold(self, until: float) -> None:
        """This process walks the clock until the wall time `until` at the latest."""

    def release(self) -> None:
        """The walk is over."""

    def held(self) -> bool:
        """A walk is running (in this process or another): background ticks and claims wait."""


class LocalHold:
    """One process (or a replica, which shares no table): its own background loop waits while it walks.
    The scheduler and dispatcher the walk drives are that loop's too; left running, the dispatcher's pump
    took most of a busy step's webhooks (1,000 SMSCPR sends: the report counted 80 of 2,000 attempts)."""

    def __init__(self) -> None:
        self._until = 0.0

    def hold(self, until: float) -> None:
        self._until = until

    def release(self) -> None:
        self._until = 0.0

    def held(self) -> bool:
        return self._until > time.time()
