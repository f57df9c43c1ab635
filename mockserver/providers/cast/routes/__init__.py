"""Cast's API router: every operation module, mounted by app.py under both /api/v1 and legacy /api."""

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


def build_router(version_tag: str) -> APIRouter:
    """All operations, tagged e.g. "v1 · Send" so Swagger groups the two path families apart."""
    router = APIRouter()
    for section, name in SECTIONS:
        router.include_router(section, tags=[f"{version_tag} · {name}"])
    return router
