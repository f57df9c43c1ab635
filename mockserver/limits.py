"""Input limits every mount shares: a body read at most up to its limit (declared, streamed or chunked
alike), the JSON nesting depth check, and the uvicorn protocol that bounds a request's head (431).
Which error shape a refusal takes is the caller's business: each mount passes its own."""

from __future__ import annotations

import asyncio
import itertools
import operator
from typing import Any, Awaitable, Callable, Iterator

ASGIApp = Callable[[dict, Any, Any], Awaitable[None]]
#: Where the server-wide guard (mockserver/guards.py) puts MOCKSERVER_MAX_JSON_DEPTH for the mounts.
DEPTH_SCOPE_KEY = "mockserver.max_json_depth"
DEFAULT_JSON_DEPTH = 64

_QUOTES_AND_BRACKETS = bytes(sorted(set(range(256)) - set(b'"[]{}')))
#: Opening brackets become 2, closing ones 0: after i brackets the running sum minus i is the depth, so
#: the walk is C iterators (accumulate, map, count), no Python step per bracket.
_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
#: Work per step, so no single C call holds the interpreter long: body bytes reduced to quotes and
#: brackets per step, brackets walked per step (64K-bracket steps held it ~40 ms on a loaded box).
SLICE_STEP, DEPTH_STEP = 1 << 18, 1 << 14
#: Above this many body bytes, body checks on the event loop give it back between steps: over a
#: 28 MB body (2M numbers) the join and the scans took ~130 ms in one go, and every other request
#: (even /_mock/health) waited that long (bench/mesms_scale.py).
YIELD_ABOVE = 1 << 20


async def breathe(body: bytes) -> None:
    """Let the event loop serve other requests before the next C-speed pass over a big body."""
    if len(body) > YIELD_ABOVE:
        await asyncio.sleep(0)


def max_json_depth(scope: dict) -> int:
    return int(scope.get(DEPTH_SCOPE_KEY, DEFAULT_JSON_DEPTH))


def json_too_deep(body: bytes, max_depth: int) -> bool:
    """True when a JSON text nests arrays/objects deeper than max_depth. Python's json parser recurses
    (a RecursionError, i.e. a 500, near depth 1,000), so this check never parses (see _walk)."""
    for answer in _walk(body, max_depth):
        if answer is not None:
            return answer
    return False


async def too_deep(body: bytes, max_depth: int) -> bool:
    """json_too_deep, in a worker thread for a big body: its steps are bounded, so the event loop gets
    the interpreter back within a switch interval and keeps serving (the old check ran 64 regex passes
    on the loop in one go: ~1 s per MB; on the loop in steps, health waited a step per loop turn)."""
    if len(body) <= YIELD_ABOVE:
        return json_too_deep(body, max_depth)
    return await asyncio.to_thread(json_too_deep, body, max_depth)


def _walk(body: bytes, max_depth: int) -> Iterator[bool | None]:
    """One linear pass in bounded steps (None after each), then the answer. Escaped backslashes and
    quotes go, everything but quotes and brackets goes, what is inside strings goes (a quote parity
    carried from slice to slice), and the brackets left are summed, stopping at the first level too deep."""
    if body.lstrip()[:1] not in (b"{", b"[") or body.count(b"[") + body.count(b"{") <= max_depth:
        yield False
        return
    kept, start, inside = [], 0, False
    while start < len(body):
        end = min(len(body), start + SLICE_STEP)
        while end < len(body) and body[end - 1] == 0x5C:  # never split a run of backslashes
            end += 1
        pieces = body[start:end].replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _QUOTES_AND_BRACKETS) \
            .split(b'"')
        kept.append(b"".join(pieces[1 if inside else 0::2]))
        inside ^= (len(pieces) - 1) % 2 == 1
        start = end
        yield None
    steps = b"".join(kept).translate(_STEP)
    depth = 0
    for start in range(0, len(steps), DEPTH_STEP):
        chunk = steps[start:start + DEPTH_STEP]
        if max(map(operator.sub, itertools.accumulate(chunk, initial=depth), itertools.count(0))) > max_depth:
            yield True
            return
        depth += 2 * chunk.count(2) - len(chunk)
        yield None
    yield False


def replay_then(messages: list[dict], receive: Any) -> Callable[[], Awaitable[dict]]:
    """A receive that hands out the buffered messages, then defers to the real one."""
    async def replay() -> dict:
        # After the buffered body, the real receive: it reports a client's disconnect (long polls).
        return messages.pop(0) if messages else await receive()
    return replay


class BodyLimit:
    """Pure ASGI middleware: reads the request body, never more than max_bytes + 1 bytes (a declared
    Content-Length over the limit is refused before reading), then replays it to the app. Over the
    limit, `reject(scope)` answers in the mount's shape and the connection closes (no upload drain).
    With `too_deep`, a JSON body nested beyond the scope's depth limit is answered by it instead."""

    def __init__(self, app: ASGIApp, max_bytes: int, reject: Callable[[dict], ASGIApp],
                 too_deep: Callable[[dict], ASGIApp] | None = None) -> None:
        self.app, self.max_bytes, self.reject, self.too_deep = app, max_bytes, reject, too_deep

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(self.reject, scope, receive, send)
        messages, size, body = [], 0, []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._refuse(self.reject, scope, receive, send)
            body.append(chunk)
            if not message.get("more_body", False):
                break
        joined = b"".join(body)
        if messages[-1]["type"] == "http.request" and len(body) > 1:
            # One message with the whole body: the next reader (another guard, the route) joins nothing.
            messages = [{"type": "http.request", "body": joined, "more_body": False}]
        await breathe(joined)
        if self.too_deep is not None and await too_deep(joined, max_json_depth(scope)):
            return await self._refuse(self.too_deep, scope, receive, send, close=False)
        await self.app(scope, replay_then(messages, receive), send)

    @staticmethod
    async def _refuse(answer: Callable[[dict], ASGIApp], scope: dict, receive: Any, send: Any,
                      close: bool = True) -> None:
        async def closing(message: dict) -> None:
            if close and message["type"] == "http.response.start":
                # The client may still be uploading: `Connection: close` makes uvicorn drop the
                # connection after the answer instead of reading (and discarding) the rest.
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)
        await answer(scope)(scope, receive, closing)


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def http_protocol(max_header_bytes: int, max_header_count: int, head_timeout: float) -> Any:
    """uvicorn's httptools protocol with request-head limits (httptools itself has none: a 64 MiB
    header was buffered, re-concatenated, and answered 200 after 4.9 s; head_limits.py). Past either
    limit the client gets 431 and the connection closes, as soon as the limit is crossed; a head not
    whole within head_timeout seconds is dropped. "h11" when httptools is missing: uvicorn then bounds
    the head with h11_max_incomplete_event_size (a 400)."""
    try:
        from mockserver.head_limits import LimitedHttpToolsProtocol
    except ImportError:
        return "h11"
    limits = {"max_header_bytes": max_header_bytes, "max_header_count": max_header_count, "head_timeout": head_timeout}
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), limits)
