"""build_control_app(): the /_mock sub-app, its resources (one module each), its 422/404/409/402 bodies
and its body limit."""

from __future__ import annotations

import importlib
import math
import reprlib
from functools import cache
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from mockserver import __version__, routing
from mockserver.control.deps import no_lone_surrogates
from mockserver.core.errors import InsufficientCredits, InvalidState, NotFound
from mockserver.limits import BodyLimit, max_json_depth

#: A 422 names what was wrong, it does not echo the input: a 100 MB body came back whole before.
EXCERPT_CHARS = 120
MAX_ERRORS = 20
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, EXCERPT_CHARS, 40

# Each module exposes `router`; listed here so a resource is one line to add.
RESOURCES = ("health", "clock", "reset", "accounts", "messages", "transitions", "inbound", "webhooks", "stream", "bins",
             "faults", "requests")


@cache
def _routes() -> APIRouter:
    """Every resource's operations, flat (mockserver/routing.py: FastAPI matches included routers level by
    level on every request), each with the lone-surrogate check; built once per process and shared by every
    control app (the routes hold no per-app state: handlers reach the runtime through the request)."""
    router = routing.router(dependencies=[Depends(no_lone_surrogates)])
    for name in RESOURCES:
        try:
            module = importlib.import_module(f"mockserver.control.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mockserver.control.{name}":
                continue
            raise
        routing.include(router, module.router)
    return router


def build_control_app(runtime, main_app: FastAPI) -> FastAPI:
    app = FastAPI(
        title="SMS sandbox control API", version=__version__,
        description="Inspect, reset, inject and time-travel the sandbox. Plain, stable JSON.",
    )
    app.state.runtime = runtime
    app.state.main_app = main_app
    routing.mount_routes(app, _routes())
    _install_error_handlers(app)
    limit = runtime.settings.control_max_body_bytes
    app.add_middleware(BodyLimit, max_bytes=limit, reject=lambda scope: JSONResponse(
        {"detail": f"request body too large (limit {limit} bytes)"}, status_code=413), too_deep=_too_deep)
    return app


def _too_deep(scope: dict) -> JSONResponse:
    return JSONResponse({"detail": [{"type": "json_invalid", "loc": ["body"], "input": None,
                                     "msg": f"JSON nested deeper than {max_json_depth(scope)} levels"}]},
                        status_code=422)


def _excerpt(value: Any) -> Any:
    """Short values as they are; anything long as a truncated text (never a lone surrogate)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN/Infinity are not JSON: echoed as text, the 422 itself was a 500
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and len(value) <= EXCERPT_CHARS:
        text = value
    else:
        text = _SHORT.repr(value) if not isinstance(value, str) else value[:EXCERPT_CHARS] + "..."
    return text.encode("utf-8", "replace").decode("utf-8")


def short_errors(errors: list[dict]) -> list[dict]:
    """FastAPI's 422 detail items with every input, context and location part cut to an excerpt."""
    out = []
    for error in errors[:MAX_ERRORS]:
        item = {"type": error.get("type"), "loc": [_excerpt(p) for p in error.get("loc", ())],
                "msg": _excerpt(str(error.get("msg", "")))}
        if "input" in error:
            item["input"] = _excerpt(error["input"])
        if isinstance(error.get("ctx"), dict):
            item["ctx"] = {str(k): _excerpt(v if isinstance(v, (str, int, float, bool)) else str(v))
                           for k, v in error["ctx"].items()}
        out.append(item)
    return jsonable_encoder(out)


def _install_error_handlers(app: FastAPI) -> None:
    """Core errors become FastAPI's plain {"detail": ...} bodies, like HTTPException."""
    statuses = {NotFound: 404, InvalidState: 409, InsufficientCredits: 402}

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": short_errors(list(exc.errors()))}, status_code=422)

    for exc_type, status in statuses.items():
        async def handler(request: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)
        app.add_exception_handler(exc_type, handler)
