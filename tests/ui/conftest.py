"""Fixtures of the inbox and stream tests: a real uvicorn server in a thread on 127.0.0.1, with
explicit settings (own database, seeded ids, frozen clock, no background scheduler)."""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest
import uvicorn

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.conftest import database_url


@dataclass
class LiveServer:
    url: str
    app: object
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def runtime(self):
        return self.app.state.runtime

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, **kwargs)

    def stop(self, timeout: float = 15) -> float:
        """Stop the way Ctrl-C does (uvicorn's signal handler); returns how long the exit took."""
        started = time.monotonic()
        self.server.handle_exit(signal.SIGINT, None)
        self.thread.join(timeout)
        return time.monotonic() - started


def start_server(tmp_path: Path, **overrides) -> LiveServer:
    values = dict(database_url=database_url(tmp_path, "inbox.db"), seed=1234, scheduler_enabled=False,
                  clock_frozen=True, rate_limit_enabled=False, webhook_max_attempts=2, webhook_backoff_base=1.0)
    values.update(overrides)
    app = create_app(Settings(**values))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, loop="asyncio", log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return LiveServer(f"http://127.0.0.1:{port}", app, server, thread)


@pytest.fixture
def live_factory(tmp_path: Path, db_backend: str) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def build(**overrides) -> LiveServer:
        servers.append(start_server(tmp_path, **overrides))
        return servers[-1]

    yield build
    for s in servers:
        if s.thread.is_alive():
            s.stop()


@pytest.fixture
def live(live_factory) -> LiveServer:
    return live_factory()


@pytest.fixture
def inbox(tmp_path: Path, db_backend: str) -> Iterator:
    """An in-process client (lifespan run) with the same explicit settings as the live server."""
    from fastapi.testclient import TestClient

    app = create_app(Settings(database_url=database_url(tmp_path, "pages.db"), seed=1234, scheduler_enabled=False,
                              clock_frozen=True, rate_limit_enabled=False))
    with TestClient(app) as client:
        yield client
