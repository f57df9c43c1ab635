"""The event feed: a numbered, in-process stream of what happened in the sandbox (a message
created or changed, a webhook attempt, an inbound message, a reset, a clock move).

It is what `GET /_mock/stream` (server-sent events) serves to the web inbox and the test kit. It holds
the last `capacity` events in memory so a client reconnecting with `Last-Event-ID` misses nothing
recent; a client whose id fell out of the window is told to resync (`since()` returns None). The
feed says *that* something changed and names it; readers fetch details from the control API.

Event kinds (the `kind` field, also the SSE `event:` name) and the keys of their `data`:
- `message.created`  id, public_id, provider, account_id, recipient_count, status
- `message.updated`  id, provider, account_id, status (its status or per-status counts changed)
- `message.deleted`  id, public_id, provider, account_id (gone with its recipients, events, webhooks)
- `webhook.attempt`  webhook_id, message_id, provider, account_id, kind, attempt, status_code, error, outcome
- `inbound`          id, provider, account_id, sender, recipient
- `reset`            provider, account_id (None for "everything")
- `bin.request`      bin, id, method (a request bin under /_mock/bins caught a request)
- `clock`            now, frozen
Publishers may add keys; readers ignore keys they do not know.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol


@dataclass(frozen=True)
class FeedEvent:
    id: int
    kind: str
    data: dict[str, Any]
    at: float = field(default_factory=time.time)  # wall clock: when the sandbox published it

    def matches(self, provider: str | None = None, account_id: str | None = None) -> bool:
        """Scope filter: an event without a provider/account (a global reset, the clock) matches any."""
        for key, wanted in (("provider", provider), ("account_id", account_id)):
            have = self.data.get(key)
            if wanted is not None and have is not None and have != wanted:
                return False
        return True


class Signal:
    """Wake asyncio waiters from any thread: `listen()` (inside a loop) gives an Event that every
    `fire()` sets. Shared by the feed and by Runtime.changed() (the /_mock long-polls)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    @property
    def listening(self) -> int:
        """How many waiters are registered (tests check that a long-poll really started)."""
        return len(self._listeners)

    def fire(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for loop, flag in listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(flag.set)

    @contextlib.contextmanager
    def listen(self) -> Iterator[asyncio.Event]:
        key = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._listeners.add(key)
        try:
            yield key[1]
        finally:
            with self._lock:
                self._listeners.discard(key)


class Feed:
    """Thread-safe publish (routes run in the threadpool, the scheduler in worker threads); async wait.

    With a `relay` (several replicas, core/feed/relay.py) publish() hands the event to the relay, which
    stores it and delivers it back, numbered by the database, together with other replicas' events: every
    replica then serves the same ids, so a stream may resume (Last-Event-ID) on any of them.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._events: deque[FeedEvent] = deque(maxlen=capacity)
        self._next_id = 1
        self._floor = 0  # ids up to this one are not held (restart_at): a reader of older ones resyncs
        self._lock = threading.Lock()
        self._published = Signal()
        self.relay: Relay | None = None

    @property
    def last_id(self) -> int:
        self._catch_up()
        return self._next_id - 1

    @property
    def listening(self) -> bool:
        """Someone in this process reads the feed as it goes (a stream): the relay reads rows back for it."""
        return self._published.listening > 0

    def _catch_up(self) -> None:
        """A relay that skipped reading back (nobody listened) reads what went by before a reader is answered."""
        relay = self.relay
        if relay is not None and relay.stale:
            relay.catch_up()

    def publish(self, kind: str, /, **data: Any) -> FeedEvent:
        """Publish an event. Relayed events are numbered later: the one returned then has id 0."""
        # Positional-only: `webhook.attempt` events carry a `kind` key of their own (dlr, mo, ...).
        relay = self.relay
        if relay is not None:
            relay.send(kind, data)
            return FeedEvent(0, kind, data)
        with self._lock:
            event = FeedEvent(self._next_id, kind, data)
            self._next_id += 1
            self._events.append(event)
        self._published.fire()
        return event

    def publish_in(self, conn: Any, kind: str, /, **data: Any) -> bool:
        """Publish as part of the caller's write transaction, when the feed is relayed: the event row is
        stored with the change it announces (one commit for both, instead of the relay's own write
        transaction competing for the write lock after every send) and goes out when the relay reads it
        back. False without a relay: the caller publishes after its commit, as readers must not hear of a
        change they cannot read yet."""
        relay = self.relay
        if relay is None:
            return False
        relay.store(conn, kind, data)
        return True

    def start_at(self, last_id: int) -> None:
        """Continue numbering after `last_id` (a replica joining the shared feed starts at its head)."""
        with self._lock:
            self._next_id = max(self._next_id, last_id + 1)

    def restart_at(self, last_id: int) -> None:
        """Drop the window and continue after `last_id`: what came before it is not held (the relay's
        catch-up skipped it), so a reader resuming from an older id is told to resync."""
        with self._lock:
            self._events.clear()
            self._floor = max(self._floor, last_id)
            self._next_id = max(self._next_id, last_id + 1)

    def deliver(self, events: list[FeedEvent]) -> None:
        """Append events already numbered elsewhere (ascending ids above last_id), and wake the readers."""
        if not events:
            return
        with self._lock:
            for event in events:
                if event.id >= self._next_id:
                    self._events.append(event)
                    self._next_id = event.id + 1
        self._published.fire()

    def since(self, last_id: int) -> list[FeedEvent] | None:
        """Events after `last_id`, oldest first; None when some of them are no longer held (resync)."""
        self._catch_up()
        with self._lock:
            if last_id < self._floor:
                return None
            if not self._events or last_id >= self._events[-1].id:
                return []
            first = self._events[0].id
            if last_id < first - 1:
                return None
            held = list(self._events)
        # Ids are contiguous in one process, but relayed ones may skip numbers: search, don't index.
        return held[bisect.bisect_right(held, last_id, key=lambda e: e.id):]

    def listen(self) -> contextlib.AbstractContextManager[asyncio.Event]:
        """An asyncio.Event set on every publish while the block runs (call inside the event loop);
        the reader clears it, reads since(), then waits on it again."""
        self._catch_up()
        return self._published.listen()


class Relay(Protocol):
    """Takes published events to the other replicas and back (core/feed_relay.FeedRelay)."""

    def send(self, kind: str, data: dict[str, Any]) -> None: ...

    def store(self, conn: Any, kind: str, data: dict[str, Any]) -> None: ...

    @property
    def stale(self) -> bool: ...

    def catch_up(self) -> None: ...
