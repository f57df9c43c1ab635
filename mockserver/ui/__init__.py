"""The web inbox: server-rendered pages at `/` and under `/inbox/` (Jinja2 + vendored htmx), live
through `/_mock/stream`; every action the page takes is a call to the control API under `/_mock`."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from mockserver.ui.render import HERE


def mount_ui(app: FastAPI) -> None:
    """Add the inbox's pages and its static files (htmx, CSS, JS: all shipped in the wheel)."""
    from mockserver.ui import admin, bins, credentials, detail, pages, requests

    for module in (pages, detail, admin, bins, credentials, requests):
        app.include_router(module.router)
    app.mount("/inbox/static", StaticFiles(directory=HERE / "static"), name="inbox-static")
