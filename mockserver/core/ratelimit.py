"""Token buckets keyed by any string (client IP, account), timed by the Clock so tests can refill them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`rate` tokens per second, at most `burst` saved; allow() takes one token or says no."""

    def __init__(self, rate: float, burst: int, now: Callable[[], float], enabled: bool = True) -> None:
        self.rate, self.burst, self._now, self.enabled = rate, burst, now, enabled
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if not self.enabled:
            return True
        now = self._now()
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
