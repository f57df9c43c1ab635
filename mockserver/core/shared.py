"""What several replicas on one database share, beyond the tables every request already reads: the
clock (versioned row, re-read when it moved), rate-limit buckets and the live feed. Off on a single
process (the default on SQLite: in-memory buckets and feed cost no I/O); MOCKSERVER_SHARED_STATE
decides: auto = on for PostgreSQL only, since another process on one SQLite file cannot be detected.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Callable

from mockserver.core.db import reads
from mockserver.core.clock import ClockState
from mockserver.core.feed.relay import FeedRelay
from mockserver.core.ratelimit import BucketStore
from mockserver.core.store import cache, ratebuckets, state

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

#: Background work (scheduler ticks, webhook signing) re-reads a moved clock at least this often;
#: requests re-read it on arrival (SharedState.sync, called by the app for every request).
CLOCK_SYNC_EVERY = 0.1


def enabled(mode: str, database_url: str) -> bool:
    """on / off as asked; auto: on for PostgreSQL (meant for replicas), off for SQLite."""
    if mode == "auto":
        return database_url.startswith(("postgresql:", "postgresql+", "postgres:"))
    return mode == "on"


class DatabaseClock:
    """The ClockStore of core/clock.py in the runtimestate row."""

    def __init__(self, db) -> None:
        self.db = db

    def version(self) -> int:
        return cache.of(self.db).clock_version(self.db.conn())  # with the read cache's counter

    def load(self) -> tuple[float, float | None, int] | None:
        return state.load_versioned_clock(self.db.conn())

    def update(self, change: Callable[[ClockState], ClockState]) -> tuple[float, float | None, int]:
        with self.db.write() as conn:
            state.lock_clock(conn)  # no other replica moves it between our read and our write
            offset, frozen_at, _ = state.load_versioned_clock(conn)
            offset, frozen_at = change((offset, frozen_at))
            return offset, frozen_at, state.save_versioned_clock(conn, offset, frozen_at)


class DatabaseBuckets(BucketStore):
    """Rate-limit buckets in the ratebucket table: one upsert per check."""

    def __init__(self, db) -> None:
        self.db = db

    def take(self, key: str, rate: float, burst: int, now: float) -> bool:
        with reads.unversioned_write(), self.db.write() as conn:  # the bucket is no cached table
            return ratebuckets.take(conn, key, rate, burst, now)

    def clear(self, scope: str) -> None:
        with self.db.write() as conn:
            ratebuckets.clear(conn, scope)


class SharedState:
    """The runtime's replica wiring: inert when not enabled, so single-process behaviour is unchanged."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.enabled = enabled(settings.shared_state, settings.database_url)
        self.runtime = runtime
        self.buckets: BucketStore | None = DatabaseBuckets(runtime.db) if self.enabled else None
        self.relay: FeedRelay | None = None
        self._scopes: Counter[str] = Counter()

    def share_clock(self) -> bool:
        """Keep the clock in the database's runtimestate row (adopting it, or storing ours on a fresh
        database); False when not shared (the Runtime then restores and saves it itself)."""
        if not self.enabled:
            return False
        store = DatabaseClock(self.runtime.db)
        self.runtime.clock.attach(store, CLOCK_SYNC_EVERY, first=store.load())
        return True

    def start_feed(self) -> None:
        """Relay the feed through the database (once the Runtime has its feed)."""
        if self.enabled:
            rt = self.runtime
            # Rows are read back only for a listener here: a stream (the feed) or a long-poll (rt.changed).
            self.relay = FeedRelay(rt.db, rt.feed, rt.changed, wanted=lambda: rt.feed.listening or rt.waiting)

    def limiter_scope(self, name: str) -> tuple[BucketStore | None, str]:
        """The bucket store and a scope for one more limiter of `name` (a provider may have several;
        every replica builds them in the same order, so `cast`, `cast#2`, ... name the same limiter)."""
        self._scopes[name] += 1
        n = self._scopes[name]
        return self.buckets, name if n == 1 else f"{name}#{n}"

    def sync(self) -> None:
        """Per request: adopt a clock another replica moved (one indexed single-row read)."""
        if self.enabled:
            self.runtime.clock.sync()

    def close(self) -> None:
        if self.relay is not None:
            self.relay.close()
            self.relay = None
