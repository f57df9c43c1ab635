"""GET /_mock/stream: the event feed as server-sent events (the web inbox and tests read it), and the
change watcher that also publishes status changes and webhook attempts found in the store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from typing import Annotated, AsyncIterator

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from mockserver.control.deps import RuntimeDep
from mockserver.core.feed.hub import FeedEvent
from mockserver.core.store import inbox

router = APIRouter(tags=["stream"])

HEARTBEAT = 15.0  # seconds between comment lines that keep proxies from closing an idle stream
WATCH_EVERY = 1.0  # seconds between the watcher's store probes when nothing signals a change
COALESCE = 0.05  # a burst of changes (a tick moving many rows) becomes one probe


class Watcher:
    """One per runtime, running while at least one stream is open: once a second it asks the store
    what changed (keyset on event and attempt ids, indexed on message.updated_at) and publishes
    `message.updated` / `webhook.attempt` with `source: "watch"` for changes the feed has not carried:
    those made by another process (a replica) or by code that does not publish. What the engine
    published itself (the scheduler, the dispatcher) is not repeated: the feed is the one source."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.users = 0
        self.task: asyncio.Task | None = None
        self.marks: inbox.Marks | None = None
        self.feed_mark = runtime.feed.last_id  # feed events from here on are compared with the next probe
        self.held: list[tuple[str, object, dict]] = []  # changes found by the last probe: (kind, key, data)
        self.held_since = self.feed_mark

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.users += 1
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._loop())
        try:
            yield
        finally:
            self.users -= 1
            if self.users == 0 and self.task is not None:
                self.task.cancel()
                self.task = None

    async def _loop(self) -> None:
        self.marks = await asyncio.to_thread(self._start)
        # Runtime.changed() fires on every submit and transition: probe soon after one (the inbox
        # promises 500 ms), and at least once a second for changes made by other processes.
        with self.runtime.listen() as changed:
            while True:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(changed.wait(), WATCH_EVERY)
                await asyncio.sleep(COALESCE)
                changed.clear()
                try:
                    await asyncio.to_thread(self.probe)
                except Exception:  # noqa: BLE001  (a wiped or busy table: the next probe catches up)
                    continue

    def _start(self) -> inbox.Marks:
        with self.runtime.db.write() as conn:
            inbox.ensure_indexes(conn)
        return inbox.marks_now(self.runtime.db.conn())

    def probe(self) -> None:
        """Publish what changed and the feed did not carry (also callable directly, e.g. by tests). A
        change is held for one probe first: the engine publishes just after it commits, so a probe
        landing in between must not announce it as another process's change."""
        if self.marks is None:
            self.marks = inbox.marks_now(self.runtime.db.conn())
            return
        since, self.feed_mark = self.feed_mark, self.runtime.feed.last_id
        msgs, attempts, self.marks = inbox.changes_since(self.runtime.db.conn(), self.marks)
        held, held_since = self.held, self.held_since
        self.held, self.held_since = [*map(_message_change, msgs), *map(_attempt_change, attempts)], since
        published = self._published_since(held_since)
        for kind, key, data in held:
            if (kind, key) not in published:
                self.runtime.feed.publish(kind, **data, source="watch")

    def _published_since(self, last_id: int) -> set[tuple[str, object]]:
        """What this process's engine published after `last_id` (read after the store, so a change
        committed before the probe and published just after it is still found)."""
        found = self.runtime.feed.since(last_id) or []
        keys: set[tuple[str, object]] = set()
        for event in found:
            if event.data.get("source") == "watch":
                continue
            if event.kind == "message.updated":
                keys.add((event.kind, event.data.get("id")))
            elif event.kind == "webhook.attempt":
                keys.add((event.kind, (event.data.get("webhook_id"), event.data.get("attempt"))))
        return keys


def _message_change(m) -> tuple[str, object, dict]:
    data = {"id": m["id"], "provider": m["provider"], "account_id": m["account_id"], "status": m["status"]}
    return "message.updated", m["id"], data


def _attempt_change(a: dict) -> tuple[str, object, dict]:
    outcome = "delivered" if a["response_status"] and 200 <= a["response_status"] < 300 else "failed"
    data = {"webhook_id": a["webhook_id"], "message_id": a["message_id"], "provider": a["provider"],
            "account_id": a["account_id"], "kind": a["kind"], "attempt": a["attempt"],
            "status_code": a["response_status"], "error": a["error"], "outcome": outcome}
    return "webhook.attempt", (a["webhook_id"], a["attempt"]), data


def watcher_of(request: Request, runtime) -> Watcher:
    """The control app's one watcher (created on the first stream)."""
    found = getattr(request.app.state, "stream_watcher", None)
    if found is None:
        found = request.app.state.stream_watcher = Watcher(runtime)
    return found


# -- shutdown ---------------------------------------------------------------------------------
# uvicorn waits for open responses before it runs the lifespan's shutdown, and an event stream never
# ends by itself; so, like sse-starlette, we learn of the exit from uvicorn's signal handler.
_exiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
#: Loops whose server was told to exit (uvicorn runs its signal handler on the loop): a stream that
#: starts after the signal ends at once instead of holding the shutdown open.
_exited_loops: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def _install_exit_hook() -> None:
    try:
        from uvicorn.server import Server
    except ImportError:  # served by another ASGI server: streams end when clients leave
        return
    if getattr(Server.handle_exit, "_mockserver_stream", False):
        return
    original = Server.handle_exit

    def handle_exit(self, sig, frame) -> None:
        with contextlib.suppress(RuntimeError):  # called from another thread (tests): no running loop
            _exited_loops.add(asyncio.get_running_loop())
        for loop, flag in list(_exiting):
            if not loop.is_closed():
                loop.call_soon_threadsafe(flag.set)
        return original(self, sig, frame)

    handle_exit._mockserver_stream = True  # type: ignore[attr-defined]
    Server.handle_exit = handle_exit  # type: ignore[method-assign]


_install_exit_hook()


def _frame(event: FeedEvent) -> str:
    return f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(event.data, default=str)}\n\n"


def _start_id(header: str | None, query: int | None, runtime) -> int:
    """Where to resume: Last-Event-ID (header, as EventSource sends it) or ?last_event_id; else now."""
    if header and header.strip().isdecimal():
        return int(header.strip())
    return query if query is not None else runtime.feed.last_id


def _register_exit() -> tuple[asyncio.AbstractEventLoop, asyncio.Event]:
    """Called by the endpoint BEFORE the response starts: registered only inside the body generator, a
    SIGINT landing between the headers and the first chunk was missed and the server never exited."""
    loop = asyncio.get_running_loop()
    key = (loop, asyncio.Event())
    _exiting.add(key)
    if loop in _exited_loops:
        key[1].set()
    return key


async def _events(request: Request, runtime, cursor: int, provider: str | None, account_id: str | None,
                  key: tuple[asyncio.AbstractEventLoop, asyncio.Event]) -> AsyncIterator[str]:
    loop, exiting = key
    try:
        async with watcher_of(request, runtime).running():
            with runtime.feed.listen() as published:
                yield f"retry: 1000\n: connected, last id {runtime.feed.last_id}\n\n"
                last_beat = loop.time()
                while not exiting.is_set():
                    published.clear()
                    found = runtime.feed.since(cursor)
                    if found is None:  # the client's id fell out of the window: it must re-read state
                        cursor = runtime.feed.last_id
                        yield f"id: {cursor}\nevent: resync\ndata: {json.dumps({'last_id': cursor})}\n\n"
                        continue
                    for event in found:
                        cursor = event.id
                        if event.matches(provider, account_id):
                            yield _frame(event)
                    if loop.time() - last_beat >= HEARTBEAT:
                        last_beat = loop.time()
                        yield ": heartbeat\n\n"
                    if await request.is_disconnected():
                        return
                    # Wake on a publish, and at least every second to notice a disconnect or an exit.
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(published.wait(), 1.0)
    finally:
        _exiting.discard(key)


@router.get("/stream", response_class=StreamingResponse, responses={200: {
    "content": {"text/event-stream": {"schema": {"type": "string", "example": 'id: 7\nevent: message.created\n'
                                                  'data: {"id": 12, "provider": "cast"}\n\n'}}},
    "description": "Server-sent events: `id`, `event` (kind), `data` (JSON)."}})
async def stream_events(
    request: Request, runtime: RuntimeDep,
    provider: str | None = None, account_id: str | None = None,
    last_event_id: Annotated[int | None, Query(ge=0, description="Resume after this id (like the header).")] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Live events (message.created, message.updated, webhook.attempt, inbound, reset, clock) as SSE."""
    cursor = _start_id(last_event_id_header, last_event_id, runtime)
    key = _register_exit()
    return StreamingResponse(_events(request, runtime, cursor, provider, account_id, key), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
