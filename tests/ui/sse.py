"""A server-sent-events reader for tests: an httpx stream read in a thread into a queue of events."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class SseEvent:
    id: int | None
    event: str
    data: dict
    comments: list[str] = field(default_factory=list)


class SseReader:
    """Connects at construction; `next(kind)` returns the next event of that kind (or fails the test)."""

    def __init__(self, url: str, headers: dict | None = None, params: dict | None = None) -> None:
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.comments: list[str] = []
        self.status: int | None = None
        self.headers: httpx.Headers | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url, headers or {}, params or {}), daemon=True)
        self._thread.start()
        assert self._opened.wait(10), "the stream did not open"

    def _run(self, url: str, headers: dict, params: dict) -> None:
        try:
            with self._client.stream("GET", url, headers=headers, params=params) as resp:
                self.status, self.headers = resp.status_code, resp.headers
                self._opened.set()
                fields: dict[str, str] = {}
                for line in resp.iter_lines():
                    if line.startswith(":"):
                        self.comments.append(line[1:].strip())
                    elif line == "":
                        if "event" in fields or "data" in fields:
                            self.events.put(SseEvent(int(fields["id"]) if "id" in fields else None,
                                                     fields.get("event", "message"), json.loads(fields.get("data", "{}"))))
                        fields = {}
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = value[1:] if value.startswith(" ") else value
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self._opened.set()

    def next(self, kind: str | None = None, timeout: float = 5.0) -> SseEvent:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind or 'event'} within {timeout} s")
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if kind is None or ev.event == kind:
                return ev

    def drain(self, wait: float = 0.3) -> list[SseEvent]:
        time.sleep(wait)
        out = []
        while not self.events.empty():
            out.append(self.events.get_nowait())
        return out

    def close(self) -> None:
        self._client.close()
