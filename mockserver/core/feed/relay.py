"""The feed across replicas: each replica appends what it publishes to the `feedevent` table and polls
it from a cursor (every ~150 ms, at once after its own publish), so a stream or wait open on one
replica sees what happened on another. Portable SQL only; a PostgreSQL LISTEN/NOTIFY wake-up could
shorten the poll later. Used only when the sandbox is shared (core/shared.py).

Rows are read back only while this process has someone to give them to (a stream, a long-poll: see
`wanted`). Under a send load nobody usually is, and reading back every send's row was ~7 % of an API
process's CPU (py-spy, `serve` under wrk). A reader that comes later (Feed.since, Feed.last_id, a new
listener) first catches up in its own thread (`catch_up`); if more than CATCH_UP_ROWS rows went by
unread, the feed restarts its window at the newest of them, and a stream resuming from an older id
is told to resync, as when its id falls out of the window."""

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
#: Rows a late reader reads back at most (one read, on its own thread); older unread ones are skipped.
CATCH_UP_ROWS = 2000


class FeedRelay:
    """One daemon thread per runtime: flush local events, read new rows, deliver them to the Feed."""

    def __init__(self, db, feed: Feed, on_events: Callable[[], None], keep: int = 20_000,
                 wanted: Callable[[], bool] = lambda: True) -> None:
        self.db, self.feed, self.on_events, self.keep, self.wanted = db, feed, on_events, keep, wanted
        self._pending: list[tuple[str, str, float]] = []
        self._lock = threading.Lock()
        self._reading = threading.Lock()  # one reader of rows at a time: the relay thread or a late reader
        #: Rows may have been stored that nobody read back: true unless the relay thread is reading them as
        #: they come (someone listens); a reader catches up first, and is then as current as a poll.
        self.stale = True
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
        """Read new rows now (after a commit that stored events with `store`), if anyone is listening."""
        if self.wanted():
            self._wake.set()
        else:
            self.stale = True

    def pump(self) -> int:
        """Store queued events, then deliver every new row in id order (while anyone is listening: else
        only mark the feed stale); returns how many were delivered."""
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            with self.db.write() as conn:
                feed_events.append_many(conn, pending)
        delivered = 0
        if self.wanted():
            delivered = self._read()
        else:
            self.stale = True
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            with self.db.write() as conn:
                feed_events.prune(conn, self.keep)
        return delivered

    def _read(self, catching_up: bool = False) -> int:
        with self._reading:
            conn = self.db.conn()
            if catching_up:
                if not self.stale:
                    return 0
                head = feed_events.last_id(conn)
                if head - self._cursor > CATCH_UP_ROWS:  # too many went by unread: restart the window
                    self._cursor, self._gap_since = head - CATCH_UP_ROWS, None
                    self.feed.restart_at(self._cursor)
            self.stale = False
            events = self._contiguous(feed_events.after(conn, self._cursor))
            if events:
                self._cursor = events[-1].id
                self.feed.deliver(events)
                self.on_events()
            return len(events)

    def catch_up(self) -> None:
        """Read back what went by while nobody listened (Feed calls this before it answers a reader)."""
        self._read(catching_up=True)

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
