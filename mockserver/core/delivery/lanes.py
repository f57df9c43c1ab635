"""Per-host lanes: how many attempts may be in flight to one receiver host, and overall.

A lane claims up to `depth` times its cap (the extra rows wait in memory, leased, so a freed slot
is refilled without a database round trip; 8: 1.2x the webhooks/s of 4 with lanes of 16, A/B in
one run, as claims no longer starve a fast lane); a hanging receiver fills only its own lane; rows
for a full lane are not claimed at all, so they hold no lease and take no overall slot while they
wait. take() says which wave of its lane each row goes out in, so its lease covers the waves ahead.
The caps on requests actually sent are the semaphores of enter() / leave().
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Iterable, Protocol


class _Row(Protocol):
    host: str


class Lanes:
    """Claimed rows by host (thread-safe: claims are chosen in a worker thread) and the send gates."""

    def __init__(self, per_host: int, total: int, depth: int = 8) -> None:
        self.per_host = max(1, per_host)
        self.total = max(1, total)
        self.depth = depth
        self._busy: Counter[str] = Counter()  # claimed rows by host (sending or waiting to)
        self._lock = threading.Lock()
        self._sending = 0
        self._gates: dict[str, asyncio.Semaphore] = {}
        self._overall: asyncio.Semaphore | None = None

    def room(self) -> int:
        with self._lock:
            return self.total * self.depth - sum(self._busy.values())

    def wanted(self) -> int:
        """How many due rows a claim should look at: what the busy lanes can still take plus one new
        lane's worth, within the overall room (reading a page of the whole room for one lane with a
        few free places was most of a claim's cost)."""
        with self._lock:
            cap = self.per_host * self.depth
            room = self.total * self.depth - sum(self._busy.values())
            free = sum(max(0, cap - n) for n in self._busy.values())
            return max(0, min(room, free + cap))

    def full_hosts(self) -> list[str]:
        with self._lock:
            return [h for h, n in self._busy.items() if n >= self.per_host * self.depth]

    def take(self, rows: Iterable[_Row]) -> list[tuple]:
        """Reserve a place for each row its lane and the overall cap have room for; returns those rows,
        each with its wave: how many lane-fulls of requests are ahead of it (0: it goes out now)."""
        taken: list[tuple] = []
        with self._lock:
            free = self.total * self.depth - sum(self._busy.values())
            for row in rows:
                if free <= 0:
                    break
                ahead = self._busy[row.host]
                if ahead >= self.per_host * self.depth:
                    continue
                self._busy[row.host] = ahead + 1
                free -= 1
                taken.append((row, ahead // self.per_host))
        return taken

    def release(self, host: str) -> None:
        with self._lock:
            self._busy[host] -= 1
            if self._busy[host] <= 0:
                del self._busy[host]

    async def enter(self, host: str) -> None:
        """Wait until a request to `host` may go on the wire: at most per_host per host, total overall.
        Pair with leave() (plain calls, not a context manager: this runs once per webhook)."""
        if self._overall is None:
            self._overall = asyncio.Semaphore(self.total)
        lane = self._gates.get(host)
        if lane is None:
            lane = self._gates[host] = asyncio.Semaphore(self.per_host)
        await lane.acquire()
        try:
            await self._overall.acquire()
        except BaseException:
            lane.release()
            raise
        self._sending += 1

    def leave(self, host: str) -> None:
        self._sending -= 1
        lane, overall = self._gates.get(host), self._overall
        if lane is not None and overall is not None:  # else reset_gates() ran: a new loop, new gates
            overall.release()
            lane.release()

    def reset_gates(self) -> None:
        """Semaphores belong to one event loop: a new loop gets new ones."""
        self._gates.clear()
        self._overall = None
        self._sending = 0

    def in_flight(self) -> int:
        """Requests on the wire now."""
        return self._sending
