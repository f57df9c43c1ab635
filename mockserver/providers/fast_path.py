"""The send routes' happy path without FastAPI's dependency solver, and FastAPI itself for everything else.

Why: solving a send route's parameters (the context, the caller, the path family, the Swagger `Security`
header, one header parameter) cost ~370 k instructions per request in FastAPI 0.165, about 14 % of a whole
Cast send (bench/send_instructions.py); the values themselves are attribute reads on the request.

How, and why it stays as strict as FastAPI:
- a route opts in by being an `async def` annotated to return a `Response` whose dependencies (its router's
  too) all declare a plain `from_request(request)` (`plain_dependency`): a pure read, no side effect, so
  running it again in FastAPI's handler is harmless;
- the body and the header parameters are parsed and validated by FastAPI's own functions
  (`request_body_to_args`, `request_params_to_args`), on the route's own fields;
- the fast path only takes a request with `Content-Type: application/json` and a JSON body that validates.
  Anything else (no body, another content type, bad JSON, a validation error, dependency overrides) goes to
  FastAPI's handler untouched, which reads the cached body again and answers or raises exactly as before.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.dependencies.utils import get_typed_return_annotation, request_body_to_args, request_params_to_args
from fastapi.routing import APIRoute

F = TypeVar("F", bound=Callable[..., Any])

#: The one body content type the fast path takes (what every vendor example and SDK sends).
JSON = "application/json"

FastCall = Callable[[Request], Awaitable[Response | None]]


def plain_dependency(from_request: Callable[[Request], Any]) -> Callable[[F], F]:
    """Declare that dependency `dep` resolves to `from_request(request)`: a pure read of the request (it may
    raise the vendor's error, as the dependency would). Routes whose dependencies all declare one qualify."""
    def mark(dep: F) -> F:
        dep.from_request = from_request  # type: ignore[attr-defined]
        return dep
    return mark


def fast_call(route: APIRoute) -> FastCall | None:
    """The route's happy path (None: the route does not qualify). The returned coroutine answers the route's
    Response, or None when FastAPI must handle the request (nothing has run then but pure reads)."""
    dependant = route.dependant
    answers = get_typed_return_annotation(route.endpoint)
    if (not inspect.iscoroutinefunction(route.endpoint)
            or not (isinstance(answers, type) and issubclass(answers, Response))
            or dependant.path_params or dependant.query_params or dependant.cookie_params
            or len(dependant.body_params) > 1 or getattr(route, "_embed_body_fields", True)
            or dependant.background_tasks_param_name or dependant.response_param_name
            or dependant.websocket_param_name or dependant.http_connection_param_name
            or dependant.security_scopes_param_name):
        return None
    getters = []  # (parameter name or None for a router's dependency, its plain read), in FastAPI's order
    for sub in dependant.dependencies:
        from_request = getattr(sub.call, "from_request", None)
        if from_request is None:
            return None
        getters.append((sub.name, from_request))
    body_fields = dependant.body_params
    header_fields = dependant.header_params
    request_name = dependant.request_param_name
    endpoint = route.endpoint
    overrides = route.dependency_overrides_provider

    async def call(request: Request) -> Response | None:
        if getattr(overrides, "dependency_overrides", None) or getattr(request.app, "dependency_overrides", None):
            return None  # a test's override: FastAPI's solver applies it
        values: dict[str, Any] = {}
        if body_fields:
            if request.headers.get("content-type") != JSON:
                return None
            raw = await request.body()
            if not raw:
                return None
            try:
                data = json.loads(raw)  # what Starlette's request.json() does
            except ValueError:
                return None
            got, errors = await request_body_to_args(body_fields=body_fields, received_body=data,
                                                     embed_body_fields=False)
            if errors:
                return None
            values.update(got)
        if header_fields:
            got, errors = request_params_to_args(header_fields, request.headers)
            if errors:
                return None
            values.update(got)
        for name, from_request in getters:
            value = from_request(request)
            if name is not None:
                values[name] = value
        if request_name:
            values[request_name] = request
        response = await endpoint(**values)
        if not isinstance(response, Response):  # the annotation promised one: a bug, not a client error
            raise TypeError(f"{endpoint.__qualname__} returned {type(response).__name__}, not a Response")
        return response

    return call
