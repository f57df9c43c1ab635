"""The webhook outbox's health figures (age of the oldest due webhook, pending count), read by the
background scheduler loop after each tick so /_mock/health answers from memory, without SQL.

Why: /_mock/health ran two queries in a worker thread; during a 2M-number send every thread hop and
SQLite call waited for the GIL, and health took 100-270 ms (bench/mesms_scale.py). With no background
loop (scheduler disabled, as in most tests) health reads the store itself, as before.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockserver.core.store import webhooks as outbox

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime


@dataclass(frozen=True)
class WebhookGauges:
    lag_s: float  # how long the oldest webhook due now (and not in flight) has waited for its attempt
    depth: int  # webhooks pending (due or waiting for a retry)


class Gauges:
    """The latest WebhookGauges the background loop read (None until it has read any)."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self._latest: WebhookGauges | None = None
        self._lock = threading.Lock()

    def read(self) -> WebhookGauges:
        """Read the store now (a worker thread's job: it runs SQL)."""
        conn = self.rt.db.conn()
        now = self.rt.clock.now()
        oldest = outbox.oldest_due(conn, now, time.time())
        return WebhookGauges(round(max(0.0, now - oldest), 3) if oldest is not None else 0.0, outbox.depth(conn))

    def refresh(self) -> None:
        """Called by the background loop after each tick."""
        latest = self.read()
        with self._lock:
            self._latest = latest

    def latest(self) -> WebhookGauges | None:
        """The figures as of the background loop's last tick (at most scheduler_interval old while it keeps
        up), or None when no background loop runs."""
        with self._lock:
            return self._latest

    def forget(self) -> None:
        """The background loop stopped: its figures would only grow stale."""
        with self._lock:
            self._latest = None
