"""GET /_mock/health: liveness, readiness and version."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mockserver import __version__
from mockserver.control.deps import RuntimeDep
from mockserver.providers import PROVIDERS

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Answers 200 with the version once the server is ready (503 before)."""
    ready = bool(getattr(request.app.state.main_app.state, "ready", False))
    runtime.db.conn().execute("SELECT 1")
    body = {"status": "ok" if ready else "starting", "version": __version__,
            "providers": sorted(PROVIDERS), "time": runtime.clock.now()}
    return JSONResponse(body, status_code=200 if ready else 503)
