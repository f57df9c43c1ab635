"""GET /_mock/health: liveness, readiness, version, and whether the lifecycle engine keeps up."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mockserver import __version__
import time

from mockserver.control.deps import RuntimeDep
from mockserver.core.store import webhooks as outbox
from mockserver.providers import PROVIDERS

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Answers 200 with the version once the server is ready (503 before), and the engine's lag."""
    ready = bool(getattr(request.app.state.main_app.state, "ready", False))
    conn = runtime.db.conn()
    now = runtime.clock.now()
    oldest = outbox.oldest_due(conn, now, time.time())
    body = {"status": "ok" if ready else "starting", "version": __version__,
            "providers": sorted(PROVIDERS), "time": now,
            # Seconds between a transition's due time and when the background scheduler ran it.
            "scheduler_lag_s": round(runtime.scheduler.lag, 3),
            # Seconds the oldest webhook due now (and not in flight) has been waiting for its attempt.
            "webhook_lag_s": round(max(0.0, now - oldest), 3) if oldest is not None else 0.0,
            "webhook_queue_depth": outbox.depth(conn), "webhooks_in_flight": runtime.dispatcher.lanes.in_flight(),
            # Sends answered with the vendor's 429 while scheduler_lag_s exceeds MOCKSERVER_BACKPRESSURE_LAG.
            "backpressure": runtime.backpressure.state()}
    return JSONResponse(body, status_code=200 if ready else 503)
