"""Swagger UI that works offline: its JS, CSS and favicon are served by this server from the
`fastapi-swagger` package (a maintained wheel of swagger-ui-dist), and every mounted sub-app's
/docs page is rebuilt to point at them. ReDoc (CDN-only) is not served; /redoc redirects to /docs."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

ASSET_PREFIX = "/_static/swagger-ui"
ASSET_PACKAGE = "fastapi_swagger.resources"
ASSETS = {  # served name -> media type; the files come from the package, never from a CDN
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
FAVICON = f"{ASSET_PREFIX}/favicon-32x32.png"
# Try-it-out open by default (a sandbox is for trying); the validator badge would call swagger.io.
DEFAULT_PARAMETERS = {"tryItOutEnabled": True, "persistAuthorization": True, "displayRequestDuration": True,
                      "validatorUrl": None}


@functools.lru_cache(maxsize=None)
def asset_bytes(name: str) -> bytes:
    return resources.files(ASSET_PACKAGE).joinpath(name).read_bytes()


def install_assets(app: FastAPI) -> None:
    """Serve the Swagger UI files under /_static/swagger-ui/ and the favicon at /favicon.ico."""

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response(status_code=404)
        # Immutable per installed version: a week of browser cache keeps page loads cheap.
        return Response(asset_bytes(name), media_type=ASSETS[name],
                        headers={"Cache-Control": "public, max-age=604800"})

    async def favicon(request: Request) -> Response:
        return Response(asset_bytes("favicon-32x32.png"), media_type="image/png")

    app.router.routes.append(Route(f"{ASSET_PREFIX}/{{name}}", asset, methods=["GET", "HEAD"], name="swagger_asset"))
    app.router.routes.append(Route("/favicon.ico", favicon, methods=["GET", "HEAD"], name="favicon"))


def offline_docs(sub_app: FastAPI, extra_parameters: dict[str, Any] | None = None) -> FastAPI:
    """Replace the sub-app's Swagger UI route (in place, so it stays ahead of any catch-all route)
    with one that loads our own assets; drop ReDoc for a redirect to the docs."""
    if not (sub_app.docs_url and sub_app.openapi_url):
        return sub_app
    parameters = {**DEFAULT_PARAMETERS, **(sub_app.swagger_ui_parameters or {}), **(extra_parameters or {})}

    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # the mount path, e.g. /cast
        top = request.scope.get("app_root_path", "").rstrip("/")  # the whole server's prefix, if proxied
        redirect = sub_app.swagger_ui_oauth2_redirect_url
        return get_swagger_ui_html(
            openapi_url=root + sub_app.openapi_url, title=f"{sub_app.title} - Swagger UI",
            swagger_js_url=f"{top}{ASSET_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{top}{ASSET_PREFIX}/swagger-ui.css", swagger_favicon_url=top + FAVICON,
            oauth2_redirect_url=root + redirect if redirect else None, init_oauth=sub_app.swagger_ui_init_oauth,
            swagger_ui_parameters=parameters,
        )

    async def to_docs(request: Request) -> RedirectResponse:
        return RedirectResponse(request.scope.get("root_path", "").rstrip("/") + sub_app.docs_url)

    routes = sub_app.router.routes
    for i, route in enumerate(routes):
        path = getattr(route, "path", None)
        if path == sub_app.docs_url:
            routes[i] = Route(path, swagger_ui_html, methods=["GET", "HEAD"], include_in_schema=False,
                              name="swagger_ui_html")
        elif sub_app.redoc_url and path == sub_app.redoc_url:
            routes[i] = Route(path, to_docs, methods=["GET", "HEAD"], include_in_schema=False, name="redoc_html")
    return sub_app
