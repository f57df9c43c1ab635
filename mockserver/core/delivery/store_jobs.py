"""Store work the dispatcher hands to worker threads, counted so that stopping can wait for it.

Cancelling an asyncio task that awaits `asyncio.to_thread` stops the await, not the thread: a record batch
kept writing while the runtime closed the database under it (a segfault in CI). `StoreJobs.run` is
to_thread with a count; `stop` refuses jobs not yet started and `drained` waits for the running ones."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable


class StoreJobs:
    def __init__(self) -> None:
        self._running = 0
        self._lock = threading.Lock()
        self._stopping = False

    async def run(self, job: Callable[..., Any], *args: Any) -> Any:
        """`job(*args)` in a worker thread; once stopping, a job not yet started raises RuntimeError instead
        of touching a database about to close."""
        def counted() -> Any:
            with self._lock:
                if self._stopping:
                    raise RuntimeError("webhook delivery is stopping")
                self._running += 1
            try:
                return job(*args)
            finally:
                with self._lock:
                    self._running -= 1
        return await asyncio.to_thread(counted)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True

    async def drained(self, limit_s: float) -> None:
        """Return once no job runs (at most `limit_s` seconds)."""
        deadline = time.monotonic() + limit_s
        while self._running and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
