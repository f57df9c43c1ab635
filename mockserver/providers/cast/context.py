"""CastContext: what Cast's routes share per app (runtime, settings, rate limiters, idempotency locks)."""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from mockserver.core.ratelimit import RateLimiter
from mockserver.providers.cast.settings import CastSettings

PROVIDER_NAME = "cast"


@dataclass
class CastContext:
    runtime: object  # mockserver.core.runtime.Runtime
    settings: CastSettings
    ip_limiter: RateLimiter = field(init=False)
    account_limiter: RateLimiter = field(init=False)
    _locks: list[threading.Lock] = field(init=False)

    def __post_init__(self) -> None:
        rt, cfg = self.runtime, self.settings
        enabled = rt.settings.rate_limit_enabled and cfg.rate_limit_enabled
        self.ip_limiter = RateLimiter(cfg.rate_limit_rate, cfg.rate_limit_burst, rt.clock.now, enabled)
        self.account_limiter = RateLimiter(cfg.account_send_rate, cfg.account_send_burst, rt.clock.now, enabled)
        self._locks = [threading.Lock() for _ in range(64)]
        rt.on_reset(self.on_reset)

    def on_reset(self, provider: str | None) -> None:
        if provider in (None, PROVIDER_NAME):
            self.ip_limiter.reset()
            self.account_limiter.reset()

    def idempotency_lock(self, owner: str, key: str) -> threading.Lock:
        """Striped locks: two requests with one idempotency key never both run the send."""
        return self._locks[zlib.crc32(f"{owner}\x00{key}".encode()) % len(self._locks)]


def get_context(request: Request) -> CastContext:
    return request.app.state.cast


ContextDep = Annotated[CastContext, Depends(get_context)]
