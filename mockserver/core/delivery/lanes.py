"""Per-host lanes: how many attempts may be in flight to one receiver host, and overall.

A hanging receiver fills only its own lane; rows for a full lane are not claimed at all, so they
hold no lease and take no overall slot while they wait.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Iterable

from mockserver.core.models import Webhook


class Lanes:
    """Counts of attempts in flight by host; thread-safe (claims are chosen in a worker thread)."""

    def __init__(self, per_host: int, total: int) -> None:
        self.per_host = max(1, per_host)
        self.total = max(1, total)
        self._busy: Counter[str] = Counter()
        self._lock = threading.Lock()

    def room(self) -> int:
        with self._lock:
            return self.total - sum(self._busy.values())

    def full_hosts(self) -> list[str]:
        with self._lock:
            return [h for h, n in self._busy.items() if n >= self.per_host]

    def take(self, rows: Iterable[Webhook]) -> list[Webhook]:
        """Reserve a slot for each row its lane and the overall cap have room for; returns those rows."""
        taken: list[Webhook] = []
        with self._lock:
            free = self.total - sum(self._busy.values())
            for row in rows:
                if free <= 0:
                    break
                if self._busy[row.host] >= self.per_host:
                    continue
                self._busy[row.host] += 1
                free -= 1
                taken.append(row)
        return taken

    def release(self, host: str) -> None:
        with self._lock:
            self._busy[host] -= 1
            if self._busy[host] <= 0:
                del self._busy[host]

    def in_flight(self) -> int:
        with self._lock:
            return sum(self._busy.values())
