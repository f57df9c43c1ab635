"""ProviderContext: the one thing a provider's routes, gates and shaper share (runtime, settings, clock,
store access, rate limiters), built once per provider by `Provider.context` and reached the same way by all.

Routes take it through the provider's `ContextDep` alias (`Annotated[ProviderContext[<P>Settings],
Depends(provide_context)]`, declared in the provider's `auth.py`); code that holds a request uses `context_of`.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import FastAPI, Request
from pydantic_settings import BaseSettings

from mockserver.core.ratelimit import RateLimiter
from mockserver.providers import fast_path

if TYPE_CHECKING:
    from mockserver.core.clock import Clock
    from mockserver.core.runtime import Runtime

S = TypeVar("S", bound=BaseSettings)

#: Stripes of the per-context locks: enough that unrelated keys rarely share one, few enough to cost nothing.
LOCK_STRIPES = 64


class NoSettings(BaseSettings):
    """The settings of a provider that has no knobs of its own (a test's stand-in provider)."""


@dataclass
class ProviderContext(Generic[S]):
    """One provider's view of the sandbox. Everything here lives as long as the sub-app; what a reset must
    forget (the limiters' buckets) registers itself with the runtime's reset."""

    name: str
    runtime: Runtime
    settings: S
    limiters: dict[str, RateLimiter] = field(default_factory=dict)
    _locks: list[threading.Lock] = field(default_factory=lambda: [threading.Lock() for _ in range(LOCK_STRIPES)],
                                         repr=False)

    @classmethod
    def build(cls, runtime: Runtime, name: str, settings_cls: type[S]) -> ProviderContext[S]:
        """The context with the provider's settings: `Settings.provider_settings[name]` over its env variables."""
        return cls(name, runtime, provider_settings(runtime, name, settings_cls))

    @property
    def clock(self) -> Clock:
        """The sandbox clock: the only time a provider may read (so time travel moves it too)."""
        return self.runtime.clock

    @property
    def db(self) -> Any:
        """Store access: `ctx.db.conn()` to read, `with ctx.db.write() as conn` to write (through core/store)."""
        return self.runtime.db

    def add_limiter(self, key: str, rate: float, burst: int, enabled: bool = True) -> RateLimiter:
        """A token bucket on the sandbox clock under `limiters[key]`, emptied by a reset of this provider."""
        self.limiters[key] = rate_limiter(self.runtime, self.name, rate, burst, enabled)
        return self.limiters[key]

    def lock(self, *parts: str) -> threading.Lock:
        """A striped lock for a key: two requests naming the same key in this process never run at once
        (across processes the store's own claim decides)."""
        return self._locks[zlib.crc32("\x00".join(parts).encode()) % len(self._locks)]


def provider_settings(runtime: Runtime, name: str, cls: type[S]) -> S:
    """The provider's settings: `Settings.provider_settings[name]` over its MOCKSERVER_<NAME>_* variables."""
    return cls(**runtime.settings.provider_settings.get(name, {}))


def rate_limiter(runtime: Runtime, name: str, rate: float, burst: int, enabled: bool = True) -> RateLimiter:
    """A token bucket on the sandbox clock, off when MOCKSERVER_RATE_LIMIT_ENABLED is false, emptied by a
    reset of this provider (or of everything)."""
    store, scope = runtime.replicas.limiter_scope(name)  # shared buckets when replicas share the database
    limiter = RateLimiter(rate, burst, runtime.clock.now, enabled=runtime.settings.rate_limit_enabled and enabled,
                          store=store, scope=scope)
    runtime.on_reset(lambda provider: limiter.reset() if provider in (None, name) else None)
    return limiter


def install_context(app: FastAPI, ctx: ProviderContext[Any]) -> FastAPI:
    """Put `ctx` where `context_of` finds it: on the provider's sub-app, one context per app."""
    app.state.provider_context = ctx
    return app


def context_of(request: Request) -> ProviderContext[Any]:
    """The context of the provider app serving `request` (gates, exception handlers, fault fitting)."""
    return request.app.state.provider_context


@fast_path.plain_dependency(context_of)
async def provide_context(request: Request) -> ProviderContext[Any]:
    """The dependency behind every provider's `ContextDep`. Async: a plain def would cost a worker-thread hop
    per request for one attribute read."""
    return request.app.state.provider_context
