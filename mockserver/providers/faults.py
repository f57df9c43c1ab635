"""FaultGate: the ASGI middleware in front of each provider mount that applies request-side fault rules
(the vendor's own error, latency, a hang, a dropped connection, a malformed or truncated body) and
tells submission which request it serves. Errors come from the provider's catalogue and are rendered
by the provider app's own exception handlers, so they read exactly as the vendor's."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request

from mockserver.core.faults import CURRENT, FaultRule, RequestInfo
from mockserver.core.store import accounts
from mockserver.providers.base import Provider, ProviderError
from mockserver.providers.http import retry_after

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

log = logging.getLogger("mockserver.faults")

FAULT_HEADER = "x-mock-fault"
#: JSON fields that name destinations, whatever the vendor (top level of the body).
DESTINATION_FIELDS = ("to", "msisdn", "msisdns", "recipient", "recipients", "destination", "destinations",
                      "phone", "phones", "number", "numbers", "mobile", "mobiles")


class FaultDropped(ConnectionAbortedError):
    """Raised when a connection must drop but the server gives no transport (an in-process client)."""


class FaultGate:
    """Wraps one provider's sub-app; while no rule exists, one read of the read cache's version (rules are in
    the store: another process may have added one) and a lookup."""

    def __init__(self, app: FastAPI, provider: Provider, runtime: Runtime) -> None:
        self.app, self.provider, self.runtime = app, provider, runtime

    def __getattr__(self, name: str) -> Any:  # the mount's app still looks like the FastAPI sub-app
        return getattr(self.app, name)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        faults = self.runtime.faults
        if scope["type"] != "http" or not faults.any_for(self.provider.name):
            return await self.app(scope, receive, send)
        req, body, receive = await self._describe(scope, receive)
        rule = await asyncio.to_thread(faults.for_request, req)  # counts in the store: off the event loop
        token = CURRENT.set(req)
        try:
            if rule is None:
                return await self.app(scope, receive, send)
            return await self._apply(rule, scope, receive, send, body)
        finally:
            CURRENT.reset(token)

    async def _describe(self, scope: dict, receive: Any) -> tuple[RequestInfo, Any, Any]:
        """The request as rules see it; the body is read (and replayed) only if a rule matches on `to`."""
        faults, name = self.runtime.faults, self.provider.name
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        root, path = scope.get("root_path", ""), scope["path"]
        req = RequestInfo(name, scope["method"], path[len(root):] if root and path.startswith(root) else path,
                          forced=headers.get(FAULT_HEADER) or None)
        if faults.needs(name, "account_id"):
            req.account_id = await asyncio.to_thread(self._account_of, headers)
        body: Any = None
        if scope["method"] in ("POST", "PUT", "PATCH") and faults.needs(name, "to"):
            raw, receive = await _buffer(receive)
            body = _json(raw)
            req.destinations = destinations(body)
        return req, body, receive

    def _account_of(self, headers: dict[str, str]) -> str | None:
        """The account whose credential the request carries, tried neutrally: every key-ish header value,
        a Bearer token, a Basic user name."""
        conn = self.runtime.db.conn()
        for candidate in credentials(headers):
            key = accounts.find_key(conn, self.provider.name, candidate)
            if key is not None:
                return key.account_id
        return None

    async def _apply(self, rule: FaultRule, scope: dict, receive: Any, send: Any, body: Any) -> None:
        faults = self.runtime.faults
        if rule.latency_ms:
            await asyncio.sleep(faults.latency_s(rule))
        if rule.hang:
            if await _wait_disconnect(receive, rule.hang_s):
                return
            return await _drop(send)
        if rule.drop_connection:
            return await _drop(send)
        if rule.error or rule.status:
            if body is None and scope["method"] in ("POST", "PUT", "PATCH"):  # some envelopes count targets
                raw, receive = await _buffer(receive)
                body = _json(raw)
            if rule.charge:  # the vendor took the send (and the credits) but answered an error
                await self.app(scope, receive, _discard)
            return await self._error(rule, scope, receive, send, body)
        if rule.malformed:
            return await _malformed(self.app, rule.malformed, scope, receive, send)
        return await self.app(scope, receive, send)

    async def _error(self, rule: FaultRule, scope: dict, receive: Any, send: Any, body: Any) -> None:
        error = self.provider.error_for(rule.error, rule.status)
        if error is None:  # refused at creation; a rule loaded from a file may still name nothing
            log.warning("fault %s names no error of %s", rule.id, self.provider.name)
            return await self.app(scope, receive, send)
        request = Request({**scope, "app": self.app}, receive)
        if self.provider.fault_error is not None:
            error = self.provider.fault_error(error, request, body)
        if error.http_status == 429 or rule.retry_after is not None:
            error.headers = {**error.headers, "Retry-After": str(retry_after(rule.retry_after or 1))}
        response = await _handler(self.app, error)(request, error)
        await response(scope, receive, send)


def _handler(app: FastAPI, error: ProviderError) -> Any:
    """The provider app's own exception handler for this error type (nearest in its MRO)."""
    for cls in type(error).__mro__:
        if cls in app.exception_handlers:
            return app.exception_handlers[cls]
    raise LookupError(f"no handler for {type(error).__name__}")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def destinations(body: Any) -> list[str]:
    """Destination strings named at the top level of a JSON body (a string or a list of strings)."""
    if not isinstance(body, dict):
        return []
    out: list[str] = []
    for name in DESTINATION_FIELDS:
        value = body.get(name)
        items = value if isinstance(value, list) else [value]
        out += [str(v) for v in items if isinstance(v, (str, int)) and not isinstance(v, bool)]
    return out


def credentials(headers: dict[str, str]) -> list[str]:
    out: list[str] = []
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer":
        out.append(value.strip())
    elif scheme.lower() == "basic":
        try:
            out.append(base64.b64decode(value.strip()).decode("utf-8").partition(":")[0])
        except ValueError:
            pass
    out += [v.strip() for k, v in headers.items() if ("key" in k or "token" in k) and v.strip()]
    return out


async def _buffer(receive: Any) -> tuple[bytes, Any]:
    messages, chunks, more = [], [], True
    while more:
        message = await receive()
        messages.append(message)
        chunks.append(message.get("body", b""))
        more = message["type"] == "http.request" and message.get("more_body", False)

    async def replay() -> dict:
        return messages.pop(0) if messages else await receive()

    return b"".join(chunks), replay


async def _wait_disconnect(receive: Any, limit: float) -> bool:
    """Hold the request until the client gives up (True) or `limit` seconds pass (False)."""
    async def until_gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(until_gone(), timeout=limit)
        return True
    except asyncio.TimeoutError:
        return False


def _transport(send: Any, depth: int = 0) -> Any:
    """The server's transport behind `send`, found through the wrappers' closures (uvicorn keeps it on
    its request cycle); None for in-process clients."""
    if depth > 8 or send is None:
        return None
    owner = getattr(send, "__self__", None)
    if owner is not None and hasattr(getattr(owner, "transport", None), "abort"):
        return owner.transport
    for cell in getattr(send, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if callable(value):
            found = _transport(value, depth + 1)
            if found is not None:
                return found
    return None


async def _drop(send: Any) -> None:
    transport = _transport(send)
    if transport is None:
        raise FaultDropped("fault: connection dropped")
    transport.abort()  # no status line, no bytes: the client sees the connection reset
    await asyncio.sleep(0)  # let the server see the loss first, or it logs "returned without a response"


async def _discard(message: dict) -> None:
    return None


async def _malformed(app: Any, kind: str, scope: dict, receive: Any, send: Any) -> None:
    """Run the vendor's route, then answer its status and headers with half its body: a JSON the client
    cannot parse (invalid_json) or, for truncated, the full Content-Length and a dropped connection."""
    start: dict = {}
    chunks: list[bytes] = []

    async def capture(message: dict) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    body = b"".join(chunks)
    cut = body[: max(1, len(body) // 2)]
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    length = len(body) if kind == "truncated" else len(cut)
    await send({**start, "headers": [*headers, (b"content-length", str(length).encode())]})
    await send({"type": "http.response.body", "body": cut, "more_body": kind == "truncated"})
    if kind == "truncated":
        await _drop(send)
