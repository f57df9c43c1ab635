"""Honest pushback: while the background scheduler runs transitions more than MOCKSERVER_BACKPRESSURE_LAG
seconds after they were due, provider send endpoints refuse new sends (each in its vendor's own 429,
see providers/http.py install_pushback) instead of letting the lifecycle drift silently behind.

Only the scheduler's lag counts, not the webhook backlog: a receiver that hangs holds its own lane and
must not make every other client's sends fail.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.core.metrics import Metrics

log = logging.getLogger("mockserver.backpressure")


class Backpressure:
    """Fed by the scheduler (observe) after every background tick and while a long one runs; read by
    every send (refusing), so reading is an attribute check and never touches the database."""

    def __init__(self, threshold: float, metrics: Metrics | None = None) -> None:
        self.threshold = threshold  # seconds of lag that start pushback; 0 disables it
        self.metrics = metrics
        self.lag = 0.0
        self.active = False
        self.refused = 0
        self._lock = threading.Lock()

    def observe(self, lag: float) -> None:
        """The scheduler's latest lag: pushback holds while it stays above the threshold. A tick that
        finds nothing late reports 0 and ends it, so recovery needs no timer."""
        active = self.threshold > 0 and lag > self.threshold
        self.lag = lag
        if active != self.active:
            self.active = active
            log.warning("scheduler lag %.2f s: send pushback %s", lag, "on" if active else "off")
            if self.metrics is not None:
                self.metrics.backpressure_active.set(1 if active else 0)

    def refusing(self) -> int | None:
        """Retry-After seconds for a send arriving now, or None while the scheduler keeps up. The wait
        is the lag itself: about how long the scheduler needs to work off what is already due."""
        if not self.active:
            return None
        return max(1, math.ceil(self.lag))

    def count_refusal(self, provider: str) -> None:
        with self._lock:
            self.refused += 1
        if self.metrics is not None:
            self.metrics.backpressure_refusals.labels(provider).inc()

    def reset(self) -> None:
        """A reset empties the schedule: whatever lag was measured no longer applies."""
        self.observe(0.0)

    def state(self) -> dict:
        """What /_mock/health shows."""
        return {"active": self.active, "threshold_s": self.threshold, "lag_s": round(self.lag, 3),
                "refused": self.refused}
