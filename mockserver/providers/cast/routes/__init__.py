"""Cast's routes: every operation module, under both /api/v1 and legacy /api, plus the sandbox's
unsubscribe-link pages. `build_router()` is what app.py includes, as every provider's app.py does."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter

from mockserver import routing
from mockserver.providers.cast.routes import account, send, status, unsubscribe, viber

SECTIONS = (
    (send.router, "Send"),
    (status.router, "Status & logs"),
    (account.router, "Account"),
    (unsubscribe.router, "Unsubscribe"),
    (viber.router, "Viber"),
)


#: The two path families: the recommended /api/v1 and the deprecated legacy /api (same operations).
FAMILIES = (("/api/v1", "v1", None), ("/api", "legacy", True))


@cache
def build_router() -> APIRouter:
    """Every operation under both families, tagged e.g. "v1 · Send" so Swagger groups them apart, and the
    click-through pages, flat (mockserver/routing.py: FastAPI's included routers are matched level by
    level on every request). Lax about Content-Type, as the app is.

    Built once per process (every provider's build_router is cached): the routes hold no per-app state (a
    handler reaches its runtime through the request's provider context), so every app takes the same
    route objects. A fresh router per app made every create_app resolve all four providers' routes again:
    ~0.1 s, half of it."""
    router = routing.router(strict_content_type=False)
    for prefix, tag, deprecated in FAMILIES:
        for section, name in SECTIONS:
            routing.include(router, section, prefix=prefix, tags=[f"{tag} · {name}"], deprecated=deprecated)
    routing.include(router, unsubscribe.click_router)
    return router
