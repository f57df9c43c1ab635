"""Holding the background engine still while an advance walks the clock (core/engine/timetravel.py).

An advance runs every transition and webhook attempt due in its window itself, step by step, at the
sandbox time each was due. In one process the background loop is the same scheduler and dispatcher, so it
cannot get in the way. With `serve --workers N` the engine is another process: it saw the walk's steps on
the shared clock and claimed webhooks of a step on its own, so their attempts ran at a later step's time
(the retry ladder's gaps no longer the backoff) and the advance's report missed them. The walk therefore
holds the engine: a process that walks says until when (`hold`), and the engine's loops skip their work
while any hold is live (`held`). A hold carries a wall-clock deadline, so a walker that dies releases it.
Core knows no processes: mockserver/processes.py keeps the holds in the supervisor's shared table."""

from __future__ import annotations

from typing import Protocol


class BackgroundHold(Protocol):
    def hold(self, until: float) -> None:
        """This process walks the clock until the wall time `until` at the latest."""

    def release(self) -> None:
        """The walk is over."""

    def held(self) -> bool:
        """Another process is walking the clock: background ticks and claims wait."""


class NoHold:
    """One process (or replicas, which share no table): nothing to hold."""

    def hold(self, until: float) -> None:
        pass

    def release(self) -> None:
        pass

    def held(self) -> bool:
        return False
