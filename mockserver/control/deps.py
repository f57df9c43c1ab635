"""Dependency aliases and shared input guards for control routes: the runtime, the bounds of a stored
id, and validation errors shaped like FastAPI's own (the HTTPValidationError the OpenAPI declares)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.exceptions import RequestValidationError

from mockserver.core.runtime import Runtime

#: SQLite INTEGER is a signed 64-bit value; a larger id or cursor cannot exist, so it is refused as
#: invalid input (422) instead of overflowing the driver (a 500).
MAX_ID = 2**63 - 1


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MessageId = Annotated[int, Path(ge=0, le=MAX_ID, description="The sandbox's message id.")]
WebhookId = Annotated[int, Path(ge=0, le=MAX_ID, description="The sandbox's webhook id.")]


def invalid(loc: tuple, msg: str, value: Any = None) -> RequestValidationError:
    """A 422 with the same body shape FastAPI gives a failed parameter check."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": value}])


async def no_lone_surrogates(request: Request) -> None:
    """Refuse a JSON body holding a lone UTF-16 surrogate ("\\ud800" is valid JSON but not storable text)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    raw = await request.body()
    if b"\\ud" not in raw.lower():
        return
    try:
        json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a ValueError subclass: must come first
        raise invalid(("body",), "Input should be valid Unicode text (it holds a lone surrogate)") from None
    except ValueError:
        return  # not JSON: the route's own parsing answers
