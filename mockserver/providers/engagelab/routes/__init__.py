"""EngageLab's HTTP operations, one module per resource: messages, template-configs, sign-configs.
`build_router()` is what app.py includes, as every provider's app.py does."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter

from mockserver import routing
from mockserver.providers.engagelab.routes import messages, sign_configs, template_configs


@cache  # once per process: the routes hold no per-app state; every app takes these objects (mockserver/routing.py)
def build_router() -> APIRouter:
    """Every EngageLab operation; each family keeps its own route class (scope and error envelope)."""
    router = routing.router()
    for module in (messages, template_configs, sign_configs):
        routing.include(router, module.router)
    return router
