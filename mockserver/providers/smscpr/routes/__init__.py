"""SMSCPR routes: one module per resource group (SMSCPR has one: messages). `build_router()` is what
app.py includes, as every provider's app.py does."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter

from mockserver import routing
from mockserver.providers.smscpr.routes import messages


@cache  # once per process: the routes hold no per-app state; every app takes these objects (mockserver/routing.py)
def build_router() -> APIRouter:
    """Every SMSCPR operation (send under both paths, the logs, one receipt)."""
    router = routing.router()
    routing.include(router, messages.router)
    return router
