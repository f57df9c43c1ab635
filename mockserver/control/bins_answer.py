"""How a request bin answers when told to misbehave: the settings (PUT /_mock/bins/{name} stores them in
binrule; the same names as query parameters on the bin's URL override them for one request), and the
response they make. "My endpoint is down, then recovers" is `{"status": 500, "fail_first": 2}`."""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mockserver.core.models import BinRule

_BODYLESS = frozenset({204, 304})


class Answer(BaseModel):
    """A bin's answer. Every field is optional; `{}` is the usual 200."""

    model_config = ConfigDict(extra="forbid")

    status: int = Field(default=200, ge=200, le=599, description="HTTP status of the answer.")
    retry_after: Optional[int] = Field(default=None, ge=0, le=86400,
                                       description="Seconds sent as Retry-After with a non-2xx answer.")
    latency: float = Field(default=0.0, ge=0, le=60, description="Wall-clock seconds to wait before answering "
                                                                 "(past the webhook timeout: a hanging receiver).")
    body: Optional[str] = Field(default=None, max_length=65536, description="Body of the non-2xx answer (JSON "
                                                                             "when it parses, else text).")
    fail_first: int = Field(default=0, ge=0, le=1_000_000, description="0: every request gets `status`; N: "
                            "the first N requests the bin holds do, later ones the usual 200.")


class Override(BaseModel):
    """The same settings as query parameters of one request (only those given)."""

    model_config = ConfigDict(extra="ignore")

    status: Optional[int] = Field(default=None, ge=200, le=599)
    retry_after: Optional[int] = Field(default=None, ge=0, le=86400)
    latency: Optional[float] = Field(default=None, ge=0, le=60)
    body: Optional[str] = Field(default=None, max_length=65536)
    fail_first: Optional[int] = Field(default=None, ge=0, le=1_000_000)

    def over(self, rule: BinRule | None) -> Answer:
        """These parameters over the bin's stored rule (or the usual answer)."""
        base = Answer() if rule is None else Answer(**{k: getattr(rule, k) for k in Answer.model_fields})
        return base.model_copy(update=self.model_dump(exclude_none=True))


def answer_of(query: Mapping[str, str]) -> Override:
    """The misbehaviour asked for in a bin URL's query; a bad value is a 422 and nothing is stored."""
    try:
        return Override.model_validate({k: query[k] for k in Override.model_fields if k in query})
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]) from None


def rule_view(rule: BinRule) -> dict[str, Any]:
    return {k: getattr(rule, k) for k in Answer.model_fields}


def respond(answer: Answer, ordinal: int, usual: dict) -> Response:
    """The answer to the bin's `ordinal`-th request (1-based): the misbehaviour, or the usual 200."""
    if answer.fail_first and ordinal > answer.fail_first:
        return JSONResponse(usual)
    headers = {"Retry-After": str(answer.retry_after)} if answer.retry_after is not None else None
    if answer.status in _BODYLESS:
        return Response(status_code=answer.status, headers=headers)
    if answer.body is None:
        return JSONResponse(usual, status_code=answer.status, headers=headers)
    try:
        json.loads(answer.body)
        media = "application/json"
    except ValueError:
        media = "text/plain; charset=utf-8"
    return Response(answer.body, status_code=answer.status, headers=headers, media_type=media)
