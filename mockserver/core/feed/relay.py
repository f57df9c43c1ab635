"""The feed across replicas: each replica appends what it publishes to the `feedevent` table and polls
it from a cursor (every ~150 ms, at once after its own publish), so a stream or wait open on one
replica sees what happened on another. Portable SQL only; a PostgreSQL LISTEN/NOTIFY wake-up could
shorten the poll later. Used only when the sandbox is shared (core/shared.py)."""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from typing import Any, Callable

from mockserver.core.feed.hub import Feed, FeedEvent
from mockserver.core.store import feed_events

log = logging.getLogger("mockserver.feed")

POLL_INTERVAL = 0.15  # seconds between polls when nothing is published here
PRUNE_EVERY = 30.0  # seconds between prunes of old rows
GAP_WAIT = 2.0  # seconds a missing id may still commit (PostgreSQL sequences) before it is skipped


class FeedRelay:
    """One daemon thread per runtime: flush local events, read new rows, deliver them to the Feed."""

    def __init__(self, db, feed: Feed, on_events: Callable[[], None], keep: int = 20_000) -> None:
        self.db, self.feed, self.on_events, self.keep = db, feed, on_events, keep
        self._pending: list[tuple[str, str, float]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cursor = feed_events.last_id(db.conn())
        self._gap_since: float | None = None
        self._pruned_at = time.monotonic()
        feed.start_at(self._cursor)
        feed.relay = self
        # The thread holds the relay weakly: a runtime nobody closed (a test's) is collected and its
        # thread ends, instead of polling a database that is gone for the rest of the process.
        self._thread = threading.Thread(target=_run, args=(weakref.ref(self), self._wake, self._stop),
                                        name="feed-relay", daemon=True)
        self._thread.start()

    def send(self, kind: str, data: dict[str, Any]) -> None:
        """Queue one event (any thread); the relay thread stores it within milliseconds."""
        with self._lock:
            self._pending.append((kind, json.dumps(data, default=str), time.time()))
        self._wake.set()

    def store(self, conn, kind: str, data: dict[str, Any]) -> None:
        """Store one event inside the caller's write transaction (Feed.publish_in); the relay reads it back
        (and so delivers it here too) at its next pump, which `poke` asks for once that transaction committed."""
        feed_events.append_many(conn, [(kind, json.dumps(data, default=str), time.time())])

    def poke(self) -> None:
        """Read new rows now (after a commit that stored events with `store`)."""
        self._wake.set()

    def pump(self) -> int:
        """Store queued events, then deliver every new row in id order; returns how many were delivered."""
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            with self.db.write() as conn:
                feed_events.append_many(conn, pending)
        events = self._contiguous(feed_events.after(self.db.conn(), self._cursor))
        if events:
            self._cursor = events[-1].id
            self.feed.deliver(events)
            self.on_events()
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            with self.db.write() as conn:
                feed_events.prune(conn, self.keep)
        return len(events)

    def _contiguous(self, rows: list[tuple[int, str, str, float]]) -> list[FeedEvent]:
        """Rows up to the first missing id: an id taken by a transaction not yet committed would
        otherwise be passed by the cursor and lost. A gap older than GAP_WAIT was rolled back: skip it."""
        out, expected = [], self._cursor + 1
        for row_id, kind, data, at in rows:
            if row_id != expected:
                now = time.monotonic()
                self._gap_since = self._gap_since or now
                if now - self._gap_since < GAP_WAIT:
                    break
            self._gap_since = None
            out.append(FeedEvent(row_id, kind, json.loads(data), at))
            expected = row_id + 1
        return out

    def close(self) -> None:
        """Stop the thread after one last pump (events published during shutdown still go out)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        try:
            self.pump()
        except Exception:  # noqa: BLE001  (closing: the database may already be gone)
            pass
        self.feed.relay = None


def _run(ref: "weakref.ref[FeedRelay]", wake: threading.Event, stop: threading.Event) -> None:
    while not stop.is_set():
        wake.wait(POLL_INTERVAL)
        wake.clear()
        relay = ref()
        if relay is None:
            return
        try:
            relay.pump()
        except Exception:  # a busy or wiped database: the next poll catches up
            log.exception("feed relay poll failed")
        del relay
