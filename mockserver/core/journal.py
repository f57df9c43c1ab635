"""The request journal: every request to a provider mount with its answer. The request path only
collects (an `Entry` in memory, reachable through a context variable so auth and sending can add the
account and the messages); one thread turns entries into redacted rows and writes them in batches
(core/store/journal.py), bounded by MOCKSERVER_REQUEST_JOURNAL_LIMIT. The ASGI side is
providers/journal.py; redaction is by header and parameter names, never by vendor."""

from __future__ import annotations

import collections
import contextvars
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockserver.core import redact
from mockserver.core.redact import BODY_KEEP
from mockserver.core.store import journal as store

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

log = logging.getLogger("mockserver.journal")

ANSWER_KEEP = 8 * 1024  # bytes of an answer kept
FLUSH_INTERVAL = 0.2  # seconds between batch writes while requests come in
MAX_PENDING = 50_000  # entries held in memory at most (a stalled database must not grow the heap)


@dataclass(slots=True)
class Entry:
    """One request as collected on the request path: raw, unredacted, never stored as it is."""

    provider: str
    method: str
    path: str
    query: bytes
    headers: list
    remote: str
    at: float
    received_at: float
    started: float
    body: list = field(default_factory=list)
    body_size: int = 0
    status: int = 0
    response_headers: list = field(default_factory=list)
    response: list = field(default_factory=list)
    response_size: int = 0
    latency_ms: float = 0.0
    account_id: str = ""
    message_ids: list = field(default_factory=list)

    def add_body(self, chunk: bytes) -> None:
        if chunk and self.body_size < BODY_KEEP:
            self.body.append(chunk)
        self.body_size += len(chunk)

    def add_answer(self, chunk: bytes) -> None:
        if chunk and self.response_size < ANSWER_KEEP:
            self.response.append(chunk)
        self.response_size += len(chunk)


current: contextvars.ContextVar[Entry | None] = contextvars.ContextVar("journal_entry", default=None)


def note_account(account_id: str | None) -> None:
    """The request being journaled belongs to this account (auth found its key)."""
    entry = current.get()
    if entry is not None and account_id and not entry.account_id:
        entry.account_id = account_id


def note_message(message_id: int) -> None:
    """The request being journaled created this message."""
    entry = current.get()
    if entry is not None:
        entry.message_ids.append(message_id)


class Journal:
    """Collects entries (any thread) and writes them in batches from one daemon thread."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.limit = max(0, int(settings.request_journal_limit))
        self.enabled = bool(settings.request_journal) and self.limit > 0
        self._pending: collections.deque[Entry] = collections.deque(maxlen=min(self.limit or 1, MAX_PENDING))
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        runtime.on_reset(self._on_reset)

    def begin(self, provider: str, scope: dict) -> Entry:
        client = scope.get("client")
        return Entry(provider, scope["method"], scope["path"], scope.get("query_string", b""), scope.get("headers", []), client[0] if client else "",
                     self.runtime.clock.now(), time.time(), time.perf_counter())

    def finish(self, entry: Entry) -> None:
        """The answer is out: queue the entry for the next batch."""
        entry.latency_ms = (time.perf_counter() - entry.started) * 1000
        self._pending.append(entry)
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        self._thread = threading.Thread(target=_run, args=(weakref.ref(self), self._wake, self._stop),
                                        name="request-journal", daemon=True)
        self._thread.start()

    def flush(self) -> int:
        """Write what is queued now (readers call this first, so they see their own requests)."""
        with self._flush_lock:
            batch = []
            while self._pending:
                batch.append(self._pending.popleft())
            if not batch:
                return 0
            rows = [redact.row(entry) for entry in batch]
            with self.runtime.db.write() as conn:
                store.add_many(conn, rows, self.limit)
        # No feed event per batch: on a shared database every feed event wakes each replica's change
        # watcher, and one every 0.2 s under traffic delayed the inbox's live rows from ~0.2 s to ~0.8 s
        # (tests/ui/test_browser_inbox.py on PostgreSQL). The Requests page polls instead.
        return len(rows)

    def _on_reset(self, provider: str | None) -> None:
        self.flush()
        with self.runtime.db.write() as conn:
            store.clear(conn, provider)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:  # noqa: BLE001  (closing: the database may already be gone)
            pass


def _run(ref: weakref.ref, wake: threading.Event, stop: threading.Event) -> None:
    while not stop.is_set():
        wake.wait(FLUSH_INTERVAL)
        journal = ref()
        if journal is None:
            return
        try:
            journal.flush()
        except Exception:  # a busy or wiped database: the next round writes what is queued
            log.exception("request journal write failed")
        del journal

