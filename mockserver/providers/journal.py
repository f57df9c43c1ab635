"""JournalGate: the ASGI layer of the request journal (core/journal.py), outermost around each provider
mount, so every request is recorded with its answer whoever answered it: the route, auth, validation,
an unknown path, a fault rule, the rate limiter, back-pressure or the body-limit middleware."""

from __future__ import annotations

from typing import Any

from mockserver.core.journal import Journal, current


class JournalGate:
    """Pure ASGI middleware: copies (a bounded part of) the body and the answer into an Entry as they
    pass, and hands the Entry to the journal once the answer is out. Nothing here waits for the store."""

    def __init__(self, app: Any, journal: Journal, provider: str) -> None:
        self.app, self.journal, self.provider = app, journal, provider

    def __getattr__(self, name: str) -> Any:  # the mount's app still looks like the provider's sub-app (as FaultGate)
        return getattr(self.app, name)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        entry = self.journal.begin(self.provider, scope)
        token = current.set(entry)

        async def receive_noted() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                entry.add_body(message.get("body", b""))
            return message

        async def send_noted(message: dict) -> None:
            if message["type"] == "http.response.start":
                entry.status, entry.response_headers = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                entry.add_answer(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_noted, send_noted)
        except BaseException:
            entry.status = entry.status or 500  # what the server's error handler answers
            raise
        finally:
            current.reset(token)
            self.journal.finish(entry)
