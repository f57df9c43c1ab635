"""CastContext: what Cast's routes share per app (runtime, settings, rate limiters, idempotency locks)."""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from mockserver.core.ratelimit import RateLimiter
from mockserver.providers.cast import NAME
from mockserver.providers.cast.settings import CastSettings
from mockserver.providers.http import rate_limiter

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

@dataclass
class CastContext:
    runtime: Runtime
    settings: CastSettings
    ip_limiter: RateLimiter = field(init=False)
    account_limiter: RateLimiter = field(init=False)
    _locks: list[threading.Lock] = field(init=False)

    def __post_init__(self) -> None:
        rt, cfg = self.runtime, self.settings
        self.ip_limiter = rate_limiter(rt, NAME, cfg.rate_limit_rate, cfg.rate_limit_burst, cfg.rate_limit_enabled)
        self.account_limiter = rate_limiter(rt, NAME, cfg.account_send_rate, cfg.account_send_burst,
                                            cfg.rate_limit_enabled)
        self._locks = [threading.Lock() for _ in range(64)]

    def idempotency_lock(self, owner: str, key: str) -> threading.Lock:
        """Striped locks: two requests with one idempotency key never both run the send."""
        return self._locks[zlib.crc32(f"{owner}\x00{key}".encode()) % len(self._locks)]


async def get_context(request: Request) -> CastContext:  # async: no thread hop for a lookup
    return request.app.state.cast


ContextDep = Annotated[CastContext, Depends(get_context)]
