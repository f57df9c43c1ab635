"""OpenAPI helpers every provider shares: `error_responses` (a route's documented error statuses, in the
vendor's envelope model) and `with_error_examples` (their examples, drawn from the vendor's `errors.ERRORS`
catalogue: one example set per documented status, in that vendor's words and envelope)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from fastapi import FastAPI
from pydantic import BaseModel

from mockserver.providers.base import ProviderError

#: render(error, path) -> the body this path answers with, or None when the error cannot occur there.
Render = Callable[[ProviderError, str], "dict[str, Any] | None"]


def error_responses(model: type[BaseModel], *statuses: int,
                    descriptions: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for a route: each status answers the vendor's error envelope `model`."""
    words = descriptions or {}
    return {s: {"model": model, **({"description": words[s]} if s in words else {})} for s in statuses}


def _default_render(error: ProviderError, path: str) -> dict[str, Any]:
    return error.body()


def examples_for(catalogue: Mapping[str, ProviderError], status: int, path: str,
                 render: Render = _default_render) -> dict[str, Any]:
    """The OpenAPI `examples` of one status on one path: every catalogue entry with that HTTP status."""
    out: dict[str, Any] = {}
    for name, error in catalogue.items():
        if error.http_status != status:
            continue
        body = render(_clone(error), path)
        if body is not None:
            out[name] = {"summary": error.message, "value": body}
    return out


def _clone(error: ProviderError) -> ProviderError:
    """A copy a renderer may stamp (copy.copy re-runs __init__, whose signature differs per vendor)."""
    clone = type(error).__new__(type(error), *error.args)
    clone.__dict__.update(error.__dict__)
    return clone


def with_error_examples(app: FastAPI, catalogue: Mapping[str, ProviderError],
                        render: Render = _default_render) -> FastAPI:
    """Give every documented 4xx/5xx response of the app's OpenAPI its examples from `catalogue`, so
    Swagger shows what each status really answers instead of one schema example for all of them."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if getattr(app.state, "_error_examples_done", False):
            return build()
        schema = build()
        for path, item in schema.get("paths", {}).items():
            for operation in item.values():
                if isinstance(operation, dict):
                    _fill(operation.get("responses", {}), catalogue, path, render)
        app.state._error_examples_done = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _fill(responses: dict[str, Any], catalogue: Mapping[str, ProviderError], path: str, render: Render) -> None:
    for code, response in responses.items():
        if not code.isdigit() or int(code) < 400:
            continue
        examples = examples_for(catalogue, int(code), path, render)
        if examples:
            media = response.setdefault("content", {}).setdefault("application/json", {})
            media.pop("example", None)
            media["examples"] = examples
