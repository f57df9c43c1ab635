"""Holding the background loops still while an advance walks the clock (core/engine/timetravel.py).

An advance runs every transition and webhook attempt due in its window itself, step by step, at the
sandbox time each was due, and reports what it ran. A background loop working meanwhile took part of
that work: in one process the dispatcher's own pump claimed most of a busy step's webhooks, and with
`serve --workers N` the engine process saw the walk's steps on the shared clock and did the same; their
attempts then ran at a later step's time (the retry ladder's gaps no longer the backoff) and the report
missed them. So a walk holds the background: the walking process says until when (`hold`), and the
scheduler's and dispatcher's background loops skip their work while any hold is live (`held`). A hold
carries a wall-clock deadline, so a walker that dies releases it. Core knows no processes:
mockserver/processes.py keeps the holds of `serve --workers N` in the supervisor's shared table.

Helping: in `serve`'s default the walker is an API process and the engine process sits idle on the other
core. So the engine's dispatcher delivers the walk's webhooks beside the walker (`helping`), at the step's
time: it re-reads the shared clock before each claim, and the walker moves to the next step only once the
helper has nothing in flight (`help_state`), so no helper attempt runs at a later step's time. The helper
publishes its in-flight count (a claim in progress counts) and its recorded attempts (`report_help`); the
walker adds the latter to its report. The engine then delivers while the walker ticks: bench/dlr_e2e.py's
2,000 DLRs went from 0.086-0.089x to 0.097-0.115x the receiver's capacity (alternated runs, one box).
Each process has its own lanes (as replicas do), so lanes of one (one request at a time to a host) keep
the walk to the walker."""

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

    def helping(self) -> bool:
        """Another process walks the clock and this one delivers the webhooks of its steps beside it."""

    def helpers(self) -> bool:
        """Other processes may help this one's walks (so its steps wait for them too)."""

    def report_help(self, in_flight: int, recorded: int) -> None:
        """This process's attempts in flight (plus one while it claims) and attempts recorded so far."""

    def help_state(self) -> tuple[int, int]:
        """The other processes' (attempts in flight, attempts recorded so far), for the walker."""


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

    def helping(self) -> bool:
        return False  # no other process

    def helpers(self) -> bool:
        return False

    def report_help(self, in_flight: int, recorded: int) -> None:
        pass

    def help_state(self) -> tuple[int, int]:
        return 0, 0
