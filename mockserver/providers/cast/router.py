"""Cast's API router: every operation module, mounted by app.py under both /api/v1 and legacy /api."""

from __future__ import annotations

from fastapi import APIRouter

from mockserver.providers.cast import routes_account, routes_send, routes_status, routes_unsubscribe, routes_viber

SECTIONS = (
    (routes_send.router, "Send"),
    (routes_status.router, "Status & logs"),
    (routes_account.router, "Account"),
    (routes_unsubscribe.router, "Unsubscribe"),
    (routes_viber.router, "Viber"),
)


def build_router(version_tag: str) -> APIRouter:
    """All operations, tagged e.g. "v1 · Send" so Swagger groups the two path families apart."""
    router = APIRouter()
    for section, name in SECTIONS:
        router.include_router(section, tags=[f"{version_tag} · {name}"])
    return router
