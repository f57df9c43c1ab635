"""Shared plumbing for provider sub-apps: exception handlers that route every failure (validation,
bad JSON, 404, 405, oversized body, core errors, crashes) through the provider's own error type, and the
wiring every provider's app.py calls the same way (body limit, pushback, Retry-After); settings and rate
limiters are made by the provider context (context.py).

Each provider supplies an ErrorMap; nothing here knows a vendor's envelope.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mockserver.core.db import reads
from mockserver.core.errors import CoreError
from mockserver.core.ratelimit import RateLimiter
from mockserver.limits import BodyLimit, breathe, max_json_depth, replay_then, too_deep
from mockserver.providers.base import ProviderError

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

log = logging.getLogger("mockserver.providers")

#: The longest Retry-After any provider announces: a client told to wait longer would look hung.
MAX_RETRY_AFTER = 3600


@dataclass
class ErrorMap:
    """How one vendor words each generic failure. Every callable returns that vendor's ProviderError."""

    validation: Callable[[RequestValidationError, Request], ProviderError]
    not_found: Callable[[Request], ProviderError]
    method_not_allowed: Callable[[Request], ProviderError]
    too_large: Callable[[Request], ProviderError]
    internal: Callable[[Request], ProviderError]
    core: Callable[[CoreError, Request], ProviderError]
    http_other: Callable[[int, str, Request], ProviderError] | None = None


def render(exc: ProviderError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.http_status, headers=exc.headers or None)


def _first_unencodable(value: Any, path: tuple = ()) -> tuple | None:
    """Path of the first string holding a lone UTF-16 surrogate (JSON allows "\\ud800"; UTF-8 does not).
    An explicit stack, not recursion: a deeply nested body must not end in a RecursionError (a 500)."""
    stack: list[tuple[Any, tuple]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return where
            continue
        pairs = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        children = []
        for key, child in pairs:
            if isinstance(key, str) and not _encodable(key):
                return (*where, key)
            children.append((child, (*where, key)))
        stack.extend(reversed(children))  # depth-first in document order: the first offender is reported
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_HIGH, _LOW = rb"\\u[dD][89abAB][0-9a-fA-F]{2}", rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
#: An escaped high surrogate not followed by a low one, or a low one not preceded by a high one.
#: Properly paired escapes (emoji) do not match, so ordinary bodies are never parsed twice.
_LONE_SURROGATE = re.compile(_HIGH + rb"(?!" + _LOW + rb")|(?<!" + _HIGH + rb")" + _LOW)


async def _surrogate_escape(body: bytes) -> bool:
    await breathe(body)
    return (b"\\ud" in body or b"\\uD" in body) and _LONE_SURROGATE.search(body) is not None


class LoneSurrogateGuard:
    """Pure ASGI middleware: a JSON body nested deeper than MOCKSERVER_MAX_JSON_DEPTH, or whose text
    holds a lone surrogate escape, is refused as a validation error in the vendor's shape, before a
    route can parse (RecursionError), store or segment it (a 500)."""

    def __init__(self, app: Any, on_invalid: Callable[[RequestValidationError, Request], ProviderError]) -> None:
        self.app, self.on_invalid = app, on_invalid

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        chunks, more, messages = [], True, []
        while more:
            message = await receive()
            messages.append(message)
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False) and message["type"] == "http.request"
        body = b"".join(chunks)
        error = None
        await breathe(body)
        if await too_deep(body, max_json_depth(scope)):
            error = {"type": "json_invalid", "loc": ("body",), "input": None,
                     "msg": f"JSON nested deeper than {max_json_depth(scope)} levels"}
        # A surrogate escape starts with \ud or \uD: two substring scans (memchr speed) skip the regex, which
        # took 0.6-2.4 s on the event loop over a 2M-number body (every request waited meanwhile).
        # A body with no backslash (one memchr pass) holds no escape: a 2M-number body skips both scans.
        elif b"\\" in body and await _surrogate_escape(body):  # the JSON parse decides
            try:
                path = _first_unencodable(json.loads(body))
            except ValueError:
                path = None  # not JSON: the route's own parsing answers
            if path is not None:
                error = {"type": "string_unicode", "loc": ("body", *path), "input": None,
                         "msg": "Input should be valid Unicode text (it holds a lone surrogate)"}
        if error is not None:
            invalid = self.on_invalid(RequestValidationError([error]), Request(scope))
            return await render(invalid)(scope, receive, send)
        return await self.app(scope, replay_then(messages, receive), send)


def install_error_handlers(app: FastAPI, errors: ErrorMap) -> None:
    app.add_middleware(LoneSurrogateGuard, on_invalid=errors.validation)

    @app.exception_handler(ProviderError)
    async def _provider(request: Request, exc: ProviderError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return render(errors.validation(exc, request))

    @app.exception_handler(CoreError)
    async def _core(request: Request, exc: CoreError) -> JSONResponse:
        return render(errors.core(exc, request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return render(errors.not_found(request))
        if exc.status_code == 405:
            return render(errors.method_not_allowed(request))
        if exc.status_code == 413:
            return render(errors.too_large(request))
        if errors.http_other is not None:
            return render(errors.http_other(exc.status_code, str(exc.detail), request))
        return render(errors.internal(request))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return render(errors.internal(request))


def body_limit_middleware(app: FastAPI, max_bytes: int, too_large: Callable[[Request], ProviderError]) -> None:
    """Refuse a body over max_bytes in the vendor's shape while reading it: a declared Content-Length
    at once, a chunked or streamed body at the first byte past the limit (never buffered whole)."""
    app.add_middleware(BodyLimit, max_bytes=max_bytes, reject=lambda scope: render(too_large(Request(scope))))


def limit_body(app: FastAPI, runtime: Runtime, vendor_max: int | None,
               too_large: Callable[[Request], ProviderError]) -> int:
    """Every provider's body limit: the vendor's own, never above MOCKSERVER_MAX_BODY_BYTES. Returns it."""
    limit = runtime.settings.max_body_bytes if vendor_max is None else min(runtime.settings.max_body_bytes, vendor_max)
    body_limit_middleware(app, limit, too_large)
    return limit


class ReadOnce:
    """Around a provider mount: the store versions one request checks (the read cache's counter before
    each lookup) are read once per request, until it writes (core/db/reads.py). Provider requests are
    short; the control API's streams are not, so it stays outside."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:  # the mount's app still looks like the provider's sub-app (as the gates)
        return getattr(self.app, name)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        with reads.request_scope():
            await self.app(scope, receive, send)


class Pushback:
    """Pure ASGI middleware: while the core's backpressure is on (the scheduler lags), a send (POST to
    a path `sends` matches) gets the vendor's own 429 from `busy` with Retry-After; anything else, and
    every request while the scheduler keeps up, passes through after one attribute check."""

    def __init__(self, app: Any, runtime: Runtime, provider: str, sends: re.Pattern[str],
                 busy: Callable[[Request, int], ProviderError]) -> None:
        self.app, self.runtime, self.provider, self.sends, self.busy = app, runtime, provider, sends, busy

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        wait = self.runtime.backpressure.refusing() if scope["type"] == "http" else None
        if wait is None or scope["method"] != "POST" or not self.sends.fullmatch(_local_path(scope)):
            return await self.app(scope, receive, send)
        self.runtime.backpressure.count_refusal(self.provider)
        request = Request(scope, receive)
        error = self.busy(request, wait)
        error.headers = {**error.headers, "Retry-After": str(retry_after(wait))}
        response = await _rendered(request, error)
        response.headers["Retry-After"] = str(retry_after(wait))  # also where a handler drops error.headers
        await response(scope, receive, send)


def _local_path(scope: dict) -> str:
    root, path = scope.get("root_path", ""), scope["path"]
    return path[len(root):] if root and path.startswith(root) else path


async def _rendered(request: Request, error: ProviderError) -> Any:
    """The error as the provider app's own handler renders it (nearest in the MRO; EngageLab's send
    errors pick their status there), else plain render()."""
    handlers = getattr(request.app, "exception_handlers", {})
    for cls in type(error).__mro__:
        if cls in handlers:
            response = handlers[cls](request, error)
            return await response if inspect.isawaitable(response) else response
    return render(error)


def install_pushback(app: FastAPI, runtime: Runtime, name: str, sends: str,
                     busy: Callable[[Request, int], ProviderError]) -> None:
    """Refuse sends (POSTs to paths matching the regex `sends`) with `busy(request, retry_after_s)`, the
    vendor's own rate-limit error, while the scheduler lags (MOCKSERVER_BACKPRESSURE_LAG)."""
    app.add_middleware(Pushback, runtime=runtime, provider=name, sends=re.compile(sends), busy=busy)


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header: at least 1, at most MAX_RETRY_AFTER."""
    return max(1, min(MAX_RETRY_AFTER, math.ceil(seconds)))


def refill_seconds(limiter: RateLimiter) -> float:
    """How long an empty bucket takes to hold one token again."""
    return 1 / limiter.rate if limiter.rate > 0 else float(MAX_RETRY_AFTER)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "127.0.0.1"


def validation_field(exc: RequestValidationError) -> tuple[str, str, str]:
    """(field name, pydantic error type, message) of the first validation error; '' for the body itself."""
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    return ".".join(loc), str(first.get("type", "")), str(first.get("msg", ""))


def without_framework_422(app: FastAPI) -> FastAPI:
    """Drop FastAPI's default `422 HTTPValidationError` from the app's OpenAPI: a provider answers
    validation errors with its own status and envelope (install_error_handlers), so Swagger must not
    promise that shape. A vendor's own 422 (declared with its own schema) stays."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        items = [*schema.get("paths", {}).values(), *schema.get("webhooks", {}).values()]
        for item in items:
            for operation in item.values():
                if not isinstance(operation, dict):
                    continue
                default = operation.get("responses", {}).get("422", {})
                ref = default.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                if ref.endswith("/HTTPValidationError"):
                    del operation["responses"]["422"]
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" not in str(items):
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
