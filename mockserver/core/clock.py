"""The one source of time: system time plus an offset, which can be frozen, set and advanced.

Timestamps everywhere are float epoch seconds (UTC); helpers render them for the wire.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Callable, Protocol


ClockState = tuple[float, float | None]  # (offset from system time, frozen time or None)


class ClockStore(Protocol):
    """Where a shared clock lives (core/shared.py keeps it in the database's runtimestate row)."""

    def version(self) -> int:
        """A number that changes whenever the stored clock changes (a cheap read)."""

    def load(self) -> tuple[float, float | None, int] | None:
        """(offset, frozen_at, version) as stored now; None before anything was stored."""

    def update(self, change: Callable[[ClockState], ClockState]) -> tuple[float, float | None, int]:
        """Apply `change` to the stored clock atomically (no other replica changes it in between)."""


class Clock:
    """A controllable clock. Advancing it is how tests skip waiting.

    With a `store` attached (several replicas on one database), every change is applied to the stored
    clock in one transaction, and sync() re-reads it when its version moved, so a replica never moves
    time from a stale copy and sees another replica's move on its next request.
    """

    def __init__(self, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = time.time() if frozen else None
        #: Called with state() after every change (the Runtime persists it) when no store is attached.
        self.on_change: Callable[[ClockState], None] | None = None
        self._store: ClockStore | None = None
        self._version = -1
        self._synced_at = 0.0  # monotonic time of the last sync()
        self.sync_every = 0.0  # seconds between background re-reads in now(); 0: only explicit sync()

    def state(self) -> ClockState:
        """(offset from system time, frozen time or None): all a restart needs to restore."""
        with self._lock:
            return self._offset, self._frozen_at

    def restore(self, offset: float, frozen_at: float | None) -> None:
        with self._lock:
            self._offset, self._frozen_at = offset, frozen_at

    def attach(self, store: ClockStore, sync_every: float,
               first: tuple[float, float | None, int] | None = None) -> None:
        """Share this clock through `store` (replicas): adopt the stored clock `first` (None: nothing
        stored yet, so store this one), then keep it current, re-reading at least every `sync_every`
        seconds when nothing calls sync() (background ticks)."""
        self._store, self.sync_every = store, sync_every
        if first is None:
            mine = self.state()
            self._apply(lambda _stored: mine)
        else:
            self._adopt(*first)

    def sync(self) -> None:
        """Re-read the shared clock if another replica moved it (one cheap read; no-op when unshared)."""
        store = self._store
        if store is None:
            return
        self._synced_at = time.monotonic()
        if store.version() != self._version:
            self._adopt(*store.load())

    def _adopt(self, offset: float, frozen_at: float | None, version: int) -> None:
        with self._lock:
            self._offset, self._frozen_at, self._version = offset, frozen_at, version

    def _apply(self, change: Callable[[ClockState], ClockState]) -> None:
        """One change of time: through the shared store when attached, else in memory then on_change."""
        if self._store is not None:
            self._adopt(*self._store.update(change))
            return
        with self._lock:
            self._offset, self._frozen_at = change((self._offset, self._frozen_at))
        if self.on_change is not None:
            self.on_change(self.state())

    def now(self) -> float:
        if self.sync_every and time.monotonic() - self._synced_at >= self.sync_every:
            self.sync()
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

        def move(state: ClockState) -> ClockState:
            offset, frozen_at = state
            return (offset, frozen_at + seconds) if frozen_at is not None else (offset + seconds, None)

        self._apply(move)
        return self.now()

    def set(self, epoch: float) -> float:
        self._apply(lambda s: (s[0], epoch) if s[1] is not None else (epoch - time.time(), None))
        return self.now()

    def freeze(self) -> float:
        self._apply(lambda s: s if s[1] is not None else (s[0], time.time() + s[0]))
        with self._lock:
            return self._frozen_at if self._frozen_at is not None else time.time() + self._offset

    def resume(self) -> float:
        self._apply(lambda s: (s[1] - time.time(), None) if s[1] is not None else s)
        return self.now()

    def reset(self) -> None:
        self._apply(lambda s: (0.0, time.time() if s[1] is not None else None))


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
