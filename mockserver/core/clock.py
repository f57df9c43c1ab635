"""The one source of time: system time plus an offset, which can be frozen, set and advanced.

Timestamps everywhere are float epoch seconds (UTC); helpers render them for the wire.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Callable


class Clock:
    """A controllable clock. Advancing it is how tests skip waiting."""

    def __init__(self, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = time.time() if frozen else None
        #: Called with state() after every change (the Runtime persists it).
        self.on_change: Callable[[tuple[float, float | None]], None] | None = None

    def state(self) -> tuple[float, float | None]:
        """(offset from system time, frozen time or None): all a restart needs to restore."""
        with self._lock:
            return self._offset, self._frozen_at

    def restore(self, offset: float, frozen_at: float | None) -> None:
        with self._lock:
            self._offset, self._frozen_at = offset, frozen_at

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.state())

    def now(self) -> float:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return time.time() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
        self._changed()
        return self.now()

    def set(self, epoch: float) -> float:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = epoch
            else:
                self._offset = epoch - time.time()
        self._changed()
        return self.now()

    def freeze(self) -> float:
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time() + self._offset
            frozen = self._frozen_at
        self._changed()
        return frozen

    def resume(self) -> float:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
        self._changed()
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            if self._frozen_at is not None:
                self._frozen_at = time.time()
        self._changed()


def iso_ms(epoch: float | None) -> str | None:
    """ISO-8601 with milliseconds and a Z, e.g. 2026-06-22T05:10:03.120Z."""
    if epoch is None:
        return None
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> float:
    """Parse ISO-8601 (Z or offset; naive means UTC) into epoch seconds. Raises ValueError."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()
