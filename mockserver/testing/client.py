"""`Sandbox` (sync) and `AsyncSandbox` (async): the test kit's httpx clients of /_mock. They share
every operation (base.py) and differ only in how a Call is sent and a Pause waited."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, AsyncIterator, Iterator, TypeVar

import httpx

from mockserver.testing.base import RequestBin, SandboxBase
from mockserver.testing.models import Fault
from mockserver.testing.protocol import Call, Op, Pause, Reply, check

S = TypeVar("S", bound="SandboxBase")

#: Added to a long-poll's own wait so the HTTP timeout never fires before the server answers 408.
SLACK = 10.0


def _decode(resp: httpx.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return resp.text


#: Where the control API lives below the base URL (the http client is rooted at the server, so a
#: Starlette TestClient of the app works as well as a real connection).
PREFIX = "/_mock"


def _in_memory(http: httpx.Client) -> bool:
    """A Starlette TestClient calls the app directly: a timeout means nothing there (and warns)."""
    return type(http).__module__.startswith("starlette.")


def _request_args(call: Call, timeout: float | None) -> dict[str, Any]:
    args: dict[str, Any] = {"params": call.params}
    if timeout is not None:
        args["timeout"] = timeout + call.wait
    if call.json is not None or call.method in ("POST", "PATCH", "PUT"):
        args["json"] = call.json if call.json is not None else {}
    return args


class Sandbox(SandboxBase):
    """Blocking client: `Sandbox("http://127.0.0.1:8000").wait_for(to="+639171234567")`. `http=`: your own
    httpx.Client rooted at the server (e.g. a Starlette TestClient of `create_app()`)."""

    def __init__(self, base_url: str, *, account_id: str | None = None, provider: str | None = None,
                 timeout: float | None = 30.0, http: httpx.Client | None = None) -> None:
        super().__init__(base_url, account_id=account_id, provider=provider)
        self.timeout = timeout
        self._own = http is None
        self.http = http or httpx.Client(base_url=self.base_url)
        if _in_memory(self.http):
            self.timeout = None

    def scoped(self, *, account_id: str | None = None, provider: str | None = None) -> "Sandbox":
        """A client sharing this one's connection whose queries and waits default to that account / provider."""
        return Sandbox(self.base_url, account_id=account_id or self.account_id, provider=provider or self.provider,
                       timeout=self.timeout, http=self.http)

    def bin(self, name: str) -> RequestBin:
        """A request bin, marked now: its wait_for_request() sees only requests that arrive after this call."""
        handle = super().bin(name)
        handle.mark()
        return handle

    def _run(self, op: Op) -> Any:
        try:
            step = next(op)
            while True:
                if isinstance(step, Pause):
                    time.sleep(step.seconds)
                    step = op.send(None)
                else:
                    try:
                        resp = self.http.request(step.method, PREFIX + step.path, **_request_args(step, self.timeout))
                    except httpx.TransportError as exc:
                        if not step.probe:
                            raise
                        step = op.send(Reply(0, repr(exc)))
                        continue
                    step = op.send(check(step, resp.status_code, _decode(resp)))
        except StopIteration as done:
            return done.value

    @contextlib.contextmanager
    def fault(self, **rule: Any) -> Iterator[Fault]:
        """`with sandbox.fault(provider="cast", status=503, times=1) as f:` the rule holds inside the block
        and is removed after it; `sandbox.get_fault(f).hits` tells how often it fired."""
        created = self.add_fault(**rule)
        try:
            yield created
        finally:
            self.delete_fault(created)

    def close(self) -> None:
        if self._own:
            self.http.close()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSandbox(SandboxBase):
    """Async client: the same methods as Sandbox, each returning an awaitable."""

    def __init__(self, base_url: str, *, account_id: str | None = None, provider: str | None = None,
                 timeout: float = 30.0, http: httpx.AsyncClient | None = None) -> None:
        super().__init__(base_url, account_id=account_id, provider=provider)
        self.timeout = timeout
        self._own = http is None
        self.http = http or httpx.AsyncClient(base_url=self.base_url)

    def scoped(self, *, account_id: str | None = None, provider: str | None = None) -> "AsyncSandbox":
        """A client sharing this one's connection whose queries and waits default to that account / provider."""
        return AsyncSandbox(self.base_url, account_id=account_id or self.account_id,
                            provider=provider or self.provider, timeout=self.timeout, http=self.http)

    async def _run(self, op: Op) -> Any:  # type: ignore[override]
        reply: Reply | None = None
        try:
            step = next(op)
            while True:
                if isinstance(step, Pause):
                    await asyncio.sleep(step.seconds)
                    reply = None
                else:
                    try:
                        resp = await self.http.request(step.method, PREFIX + step.path,
                                                       **_request_args(step, self.timeout))
                        reply = check(step, resp.status_code, _decode(resp))
                    except httpx.TransportError as exc:
                        if not step.probe:
                            raise
                        reply = Reply(0, repr(exc))
                step = op.send(reply)
        except StopIteration as done:
            return done.value

    @contextlib.asynccontextmanager
    async def fault(self, **rule: Any) -> AsyncIterator[Fault]:
        """`async with sandbox.fault(...) as f:` the rule holds inside the block, removed after it."""
        created = await self.add_fault(**rule)
        try:
            yield created
        finally:
            await self.delete_fault(created)

    async def aclose(self) -> None:
        if self._own:
            await self.http.aclose()

    async def __aenter__(self) -> "AsyncSandbox":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
