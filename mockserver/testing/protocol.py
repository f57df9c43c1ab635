"""The kit's sans-I/O core: operations are generators that yield `Call`s (and `Pause`s) and get
`Reply`s back, so one definition of every operation serves both the sync and the async client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generator

from mockserver.testing.errors import NotFoundError, SandboxHTTPError


@dataclass
class Call:
    method: str
    path: str  # below /_mock
    params: dict[str, Any] | None = None
    json: Any = None
    accept: tuple[int, ...] | None = (200, 201, 204)  # other statuses raise, unless listed here; None: any
    wait: float = 0.0  # real seconds the server may hold the request (a long-poll)
    probe: bool = False  # a connection error answers Reply(0, "<the error>") instead of raising


@dataclass
class Reply:
    status: int
    body: Any = field(default=None)


@dataclass
class Pause:
    seconds: float


Op = Generator["Call | Pause", "Reply | None", Any]


def clean(params: dict[str, Any]) -> dict[str, Any]:
    """Drop unset filters; lists become the comma-separated form /_mock takes; bools become true/false."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out


def check(call: Call, status: int, body: Any) -> Reply:
    if call.accept is None or status in call.accept:
        return Reply(status, body)
    error = NotFoundError if status == 404 else SandboxHTTPError
    raise error(call.method, "/_mock" + call.path, status, body)


def one(call: Call, parse: Callable[[Any], Any] = lambda body: body) -> Op:
    """An operation of a single request whose answer `parse` turns into the result."""
    reply = yield call
    return parse(reply.body)
