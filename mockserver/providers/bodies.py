"""Reading JSON bodies in a route (after authentication, whatever the Content-Type) and describing them in
OpenAPI, for providers that word "not JSON" and "wrong fields" with different vendor codes."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class BodyError(Exception):
    """`not_json` True: the body is not a JSON object; False: a field is missing or of the wrong type."""

    def __init__(self, message: str, *, not_json: bool, raw: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.not_json = not_json
        self.raw = raw


def describe(exc: ValidationError) -> str:
    """"field: problem" for the first error; union member tags (str, list[str]) are left out of the path."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()) if not _is_type_tag(p))
    return f"{field}: {first.get('msg', 'invalid value')}" if field else str(first.get("msg", "invalid value"))


def _is_type_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in _TAGS)


_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


def decode(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or BodyError(not_json=True)."""
    if not raw.strip():
        raise BodyError("request body is empty", not_json=True)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BodyError("request body is not valid JSON", not_json=True) from None
    if not isinstance(data, dict):
        raise BodyError("request body must be a JSON object", not_json=True, raw=data)
    return data


def validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BodyError(describe(exc), not_json=False, raw=data) from None


async def parse(request: Request, model: type[M]) -> M:
    return validate(model, decode(await request.body()))


def openapi_body(model: type[BaseModel], examples: dict[str, Any] | None = None) -> dict[str, Any]:
    """openapi_extra for a route that reads its body itself; the schema is added by app.custom_openapi."""
    content: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if examples:
        content["examples"] = examples
    return {"requestBody": {"required": True, "content": {"application/json": content}}}
