"""Token buckets keyed by any string (client IP, account), timed by the Clock so tests can refill them.

In memory by default (the send path's hot check costs no I/O); with several replicas on one database
(core/shared.py) the buckets live in the database instead, so a client spread over replicas by a load
balancer gets one limit, not one per replica.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Protocol


@dataclass
class _Bucket:
    tokens: float
    at: float


class BucketStore(Protocol):
    """Buckets kept outside the process (core/shared.DatabaseBuckets)."""

    def take(self, key: str, rate: float, burst: int, now: float) -> bool:
        """Take one token atomically; False when the bucket is empty."""

    def clear(self, scope: str) -> None:
        """Forget every bucket of one limiter."""


class RateLimiter:
    """`rate` tokens per second, at most `burst` saved; allow() takes one token or says no.
    With a `store`, buckets are shared: keys become `<scope>\\x1f<key>` in it."""

    def __init__(self, rate: float, burst: int, now: Callable[[], float], enabled: bool = True,
                 store: BucketStore | None = None, scope: str = "") -> None:
        self.rate, self.burst, self._now, self.enabled = rate, burst, now, enabled
        self.store, self.scope = store, scope
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if not self.enabled:
            return True
        now = self._now()
        if self.store is not None:
            return self.store.take(f"{self.scope}\x1f{key}", self.rate, self.burst, now)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
        if self.store is not None:
            self.store.clear(self.scope)
