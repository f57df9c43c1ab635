"""create_app(): builds the Runtime, mounts every provider and the control API, and runs the
scheduler in the lifespan. The web inbox is at /; the index page at /credentials lists providers,
their docs and fixture keys. Every Swagger UI loads its assets from this server (docs_assets.py), so the
docs work offline."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any, AsyncIterator

import httpx
from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from starlette.routing import Mount

from mockserver import __version__
from mockserver.control import build_control_app
from mockserver.control.faults import install_faults
from mockserver.core.db import reads
from mockserver.core.fault_shaping import FaultShaper
from mockserver.core.runtime import Runtime
from mockserver.docs_assets import install_assets, offline_docs
from mockserver.guards import ServerGuard
from mockserver.processes import ProcessSlot
from mockserver.providers import PROVIDERS
from mockserver.providers.faults import FaultGate
from mockserver.providers.http import ReadOnce, without_framework_422
from mockserver.providers.journal import JournalGate
from mockserver.settings import Settings
from mockserver.ui import mount_ui


class DotAllMount(Mount):
    """A Mount that also matches a path holding a newline (%0A): Starlette's `{path:path}` is `.*`, which
    stops at one, so such a path skipped the provider and got the bare app's {"detail": "Not Found"}."""

    def __init__(self, path: str, app: Any, name: str) -> None:
        super().__init__(path, app=app, name=name)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)


class ClockSync:
    """ASGI middleware for replicas on one database (core/shared.py): one indexed single-row read per
    request, so a clock moved on another replica is the time this request sees. The same statement reads
    the read cache's counter, which a provider request's scope then starts from (core/db/reads.py)."""

    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with reads.priming():  # the read cache's counter comes in the same statement, for ReadOnce's scope
                self.runtime.replicas.sync()
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None,
               process: ProcessSlot | None = None) -> FastAPI:
    """The whole sandbox as one ASGI app. `process`: this child's row in the process table of
    `serve --workers N` (mockserver/supervisor.py); an `api` process runs no background scheduler."""
    settings = settings or Settings()
    runtime = Runtime(settings, transport=transport)
    if process is not None and process.local_buckets:  # before the providers build their limiters
        runtime.replicas.buckets = None
    if process is not None:  # an advance here holds the engine process still (core/engine/pause.py)
        runtime.background = process

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.bind_loop(asyncio.get_running_loop())
        stop = asyncio.Event()
        tasks = []
        if settings.scheduler_enabled and settings.process_role != "api":
            tasks.append(asyncio.create_task(runtime.scheduler.run(stop)))
        if process is not None:  # heartbeat, and the engine's lag shared with the API processes
            tasks.append(asyncio.create_task(process.run(runtime, stop)))
        app.state.ready = True
        try:
            yield
        finally:
            stop.set()
            runtime.wake()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout=10)
            await runtime.close()

    app = FastAPI(title="SMS provider sandbox", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.state.ready = False
    app.state.process = process
    install_faults(runtime)
    for provider in PROVIDERS.values():
        ctx = provider.context(runtime)  # one context: the sub-app and the shaper share its settings
        if provider.shaper is not None:  # wrapped: fault rules may drop, repeat or delay its receipts
            reorder_s = runtime.timing_for(provider.name).delivery_delay + 5
            runtime.register_shaper(provider.name, FaultShaper(provider.shaper(ctx), reorder_s))
        vendor_app = offline_docs(without_framework_422(provider.build_app(ctx)))
        gate = FaultGate(vendor_app, provider, runtime)  # request-side fault rules (providers/faults.py)
        if runtime.journal.enabled:  # every request and its answer, refusals included (core/journal.py)
            gate = JournalGate(gate, runtime.journal, provider.name)
        app.router.routes.append(DotAllMount(f"/{provider.name}", ReadOnce(gate), provider.name))
    app.router.routes.append(DotAllMount("/_mock", offline_docs(build_control_app(runtime, app)), "control"))
    install_assets(app)
    if runtime.replicas.enabled:  # several replicas: adopt a clock another one moved, before each request
        app.add_middleware(ClockSync, runtime=runtime)
    app.add_middleware(ServerGuard, settings=settings, open_prefixes=[*(f"/{name}" for name in PROVIDERS), "/_static",
                                                                 "/favicon.ico"])

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus text: sends, transitions, webhook attempts by outcome, scheduler lag, queue depth."""
        return Response(runtime.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    mount_ui(app)  # the web inbox at / (pages under /inbox, the credentials page at /credentials)

    @app.get("/docs", include_in_schema=False)
    def docs() -> RedirectResponse:
        return RedirectResponse("/credentials")  # the providers and their Swagger UIs

    return app
