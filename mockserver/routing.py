"""Routers put together flat: every operation an APIRoute at its full path in one list.

Why not FastAPI's `include_router`: since 0.16x FastAPI keeps an included router as a branch and matches
it level by level on every request, twice per level (once to choose the branch, once inside it), with a
routes-version walk at each step. A Cast send went through two such levels: flat, it costs 6.2 % fewer
instructions (me-sms 5.4 %; bench/send_instructions.py, callgrind). Older FastAPI copied the routes at
include time, which is what `include` does here with public API only, on any FastAPI the project admits.

A provider builds its flat router once per process (`@cache`), and each app takes the same route objects
(`mount_routes`): they hold no per-app state (a handler finds its runtime through the request), so a new
app resolves nothing again."""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

#: APIRoute attributes that add_api_route takes back under the same name (on every FastAPI >= 0.115).
_COPIED = ("response_model", "status_code", "dependencies", "summary", "description", "response_description",
           "responses", "methods", "operation_id", "response_model_include", "response_model_exclude",
           "response_model_by_alias", "response_model_exclude_unset", "response_model_exclude_defaults",
           "response_model_exclude_none", "include_in_schema", "response_class", "name", "callbacks",
           "openapi_extra", "generate_unique_id_function")
#: Newer FastAPI's per-route settings, copied where this FastAPI has them.
_NEWER = tuple(name for name in ("strict_content_type", "max_body_size")
               if name in inspect.signature(APIRouter.add_api_route).parameters)


def router(*, strict_content_type: bool = True, **kwargs: Any) -> APIRouter:
    """An APIRouter to include into; `strict_content_type=False` (a vendor that decodes a body whatever
    its Content-Type says) where this FastAPI checks Content-Type at all (older ones never did)."""
    if "strict_content_type" in inspect.signature(APIRouter).parameters:
        kwargs["strict_content_type"] = strict_content_type
    return APIRouter(**kwargs)


def include(target: APIRouter, source: APIRouter, *, prefix: str = "", tags: list[str | Enum] | None = None,
            deprecated: bool | None = None) -> None:
    """`target.include_router(source, prefix=..., tags=..., deprecated=...)` as a copy of each route, with the
    include's tags first and its `deprecated` winning, as FastAPI combines them. `source` holds operations
    (and plain Starlette routes); a router included into it would be a branch again, so it is refused."""
    for route in source.routes:
        if isinstance(route, APIRoute):
            settings = {name: getattr(route, name) for name in _COPIED + _NEWER}
            target.add_api_route(prefix + route.path, route.endpoint, **settings,
                                 tags=[*(tags or []), *route.tags], deprecated=deprecated or route.deprecated,
                                 route_class_override=type(route))
        elif type(route) is Route:
            target.add_route(prefix + route.path, route.endpoint,
                             methods=None if route.methods is None else sorted(route.methods),
                             name=route.name, include_in_schema=route.include_in_schema)
        else:
            raise TypeError(f"cannot include {route!r} flat: only operations and plain routes")


def mount_routes(app: FastAPI, source: APIRouter) -> None:
    """`source`'s routes as the app's own, the same objects (no per-app copy: see the module docstring). Only
    for an app whose router adds nothing to its routes (no dependencies, tags, responses, prefix) and
    checks Content-Type as `source` does: anything else would be lost, so it is refused."""
    own = app.router
    if own.dependencies or own.tags or own.responses or own.callbacks or own.prefix or \
            getattr(own, "strict_content_type", None) != getattr(source, "strict_content_type", None):
        raise ValueError("this app's router shapes its routes: include() them into it instead")
    own.routes.extend(source.routes)
