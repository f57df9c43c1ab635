"""Cast's routes: every operation module, under both /api/v1 and legacy /api, plus the sandbox's
unsubscribe-link pages. `build_router()` is what app.py includes, as every provider's app.py does."""

from __future__ import annotations

from fastapi import APIRouter

from mockserver.providers.cast.routes import account, send, status, unsubscribe, viber

SECTIONS = (
    (send.router, "Send"),
    (status.router, "Status & logs"),
    (account.router, "Account"),
    (unsubscribe.router, "Unsubscribe"),
    (viber.router, "Viber"),
)


def _family(version_tag: str) -> APIRouter:
    """All operations, tagged e.g. "v1 · Send" so Swagger groups the two path families apart."""
    router = APIRouter()
    for section, name in SECTIONS:
        router.include_router(section, tags=[f"{version_tag} · {name}"])
    return router


def build_router() -> APIRouter:
    """The recommended /api/v1 family, the deprecated legacy /api family, and the click-through pages."""
    router = APIRouter()
    router.include_router(_family("v1"), prefix="/api/v1")
    router.include_router(_family("legacy"), prefix="/api", deprecated=True)
    router.include_router(unsubscribe.click_router)
    return router
