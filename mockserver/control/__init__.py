"""Our own API under /_mock for tests and operators: health, reset, clock, and (one file per
resource) accounts, messages, inbound, webhooks. Sees providers only through the PROVIDERS registry."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from mockserver import __version__

# Each module exposes `router`; listed here so a resource is one line to add.
RESOURCES = ("health", "clock", "reset", "accounts", "messages", "inbound", "webhooks")


def build_control_app(runtime, main_app: FastAPI) -> FastAPI:
    app = FastAPI(
        title="SMS sandbox control API", version=__version__,
        description="Inspect, reset, inject and time-travel the sandbox. Plain, stable JSON.",
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
    return app
