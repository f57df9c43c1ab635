"""The me-sms v2 routes, one module per resource: sms (send, preview, cancel, retry), messages (list,
get, recipients) and account (credits, senders, templates, contact groups). `build_router()` is what
app.py includes, as every provider's app.py does."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter

from mockserver.providers.mesms.routes import account, messages, sms


@cache  # once per process: the routes hold no per-app state, and FastAPI keeps what it resolves on the router
def build_router() -> APIRouter:
    """Every me-sms operation, in the order Swagger lists them."""
    router = APIRouter()
    router.include_router(sms.router)
    router.include_router(messages.router)
    router.include_router(account.router)
    return router
