"""The me-sms v2 routes, one module per resource: sms (send, preview, cancel, retry), messages (list,
get, recipients) and account (credits, senders, templates, contact groups). `build_router()` is what
app.py includes, as every provider's app.py does."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter

from mockserver import routing
from mockserver.providers.mesms.routes import account, messages, sms


@cache  # once per process: the routes hold no per-app state; every app takes these objects (mockserver/routing.py)
def build_router() -> APIRouter:
    """Every me-sms operation, in the order Swagger lists them."""
    router = routing.router()
    for module in (sms, messages, account):
        routing.include(router, module.router)
    return router
