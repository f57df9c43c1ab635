"""Our own API under /_mock for tests and operators: health, reset, clock, and (one file per
resource) accounts, messages, inbound, webhooks, faults. Sees providers only through the PROVIDERS registry."""

from __future__ import annotations

import importlib

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from mockserver import __version__
from mockserver.control.deps import no_lone_surrogates
from mockserver.core.errors import InsufficientCredits, InvalidState, NotFound

# Each module exposes `router`; listed here so a resource is one line to add.
RESOURCES = ("health", "clock", "reset", "accounts", "messages", "transitions", "inbound", "webhooks", "stream", "bins",
             "faults")


def build_control_app(runtime, main_app: FastAPI) -> FastAPI:
    app = FastAPI(
        title="SMS sandbox control API", version=__version__,
        description="Inspect, reset, inject and time-travel the sandbox. Plain, stable JSON.",
        dependencies=[Depends(no_lone_surrogates)],
    )
    app.state.runtime = runtime
    app.state.main_app = main_app
    for name in RESOURCES:
        try:
            module = importlib.import_module(f"mockserver.control.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mockserver.control.{name}":
                continue
            raise
        app.include_router(module.router)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Core errors become FastAPI's plain {"detail": ...} bodies, like HTTPException."""
    statuses = {NotFound: 404, InvalidState: 409, InsufficientCredits: 402}
    for exc_type, status in statuses.items():
        async def handler(request: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)
        app.add_exception_handler(exc_type, handler)
