"""GET /_mock/health: liveness, readiness, version, whether the lifecycle engine keeps up, and each
process of `serve --workers N` (from the shared process table, mockserver/processes.py).

Answered on the event loop from memory (no SQL, no thread hop) while the background scheduler runs: it
must stay fast while a 2M-number send is parsed and stored (bench/mesms_scale.py: <= 100 ms)."""

from __future__ import annotations

import os
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from mockserver import __version__
from mockserver.control.deps import RuntimeDep
from mockserver.control.schemas import Health
from mockserver.providers import PROVIDERS

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health, "description": "Still starting."}})
async def health(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Answers 200 with the version once the server is ready (503 before), and the engine's lag."""
    main_state = request.app.state.main_app.state
    ready = bool(getattr(main_state, "ready", False))
    gauges = runtime.scheduler.gauges
    process = getattr(main_state, "process", None)  # a child of `serve --workers N` (mockserver/processes.py)
    # As of the background loop's last tick (the engine's, in an API process of `serve`); without that
    # loop (scheduler disabled, or before its first tick) read the store now.
    engine = process.engine_webhooks() if process else None
    webhooks, in_flight = engine or (gauges.latest(), runtime.dispatcher.lanes.in_flight())
    webhooks = webhooks or await run_in_threadpool(gauges.read)
    body = Health(status="ok" if ready else "starting", version=__version__, providers=sorted(PROVIDERS),
                  time=runtime.clock.now(),
                  scheduler_lag_s=round(runtime.backpressure.lag if process else runtime.scheduler.lag, 3),
                  webhook_lag_s=webhooks.lag_s, webhook_queue_depth=webhooks.depth,
                  webhooks_in_flight=in_flight,
                  backpressure=runtime.backpressure.state(),
                  processes=process.table.snapshot() if process else [_this_process()])
    # A JSONResponse, not the model, because the status depends on readiness (503 while starting).
    return JSONResponse(body.model_dump(by_alias=True), status_code=200 if ready else 503)


def _this_process() -> dict:
    """The one row of a single-process server (`serve --workers 1`, or an app built in a test)."""
    now = time.time()
    return {"pid": os.getpid(), "role": "all", "alive": True, "last_heartbeat": now, "heartbeat_age_s": 0.0,
            "restarts": 0}
