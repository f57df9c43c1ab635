"""Stopping delivery never closes the database under a store job still running in a worker thread: a cancelled
attempt stops awaiting its record, not the thread writing it, and the runtime closes the database right after
Dispatcher.close (closing SQLite under a running statement crashed the test process with a segfault)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings


def test_close_waits_for_a_store_job_running_in_a_thread_and_refuses_one_not_started(tmp_path: Path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/close.db", scheduler_enabled=False))
    dispatcher = app.state.runtime.dispatcher
    started, finished = threading.Event(), []

    def slow_write() -> str:
        started.set()
        time.sleep(0.3)  # a record batch the close must not cut short
        finished.append(time.monotonic())
        return "written"

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            job = asyncio.create_task(dispatcher._jobs.run(slow_write))
            while not started.is_set():
                await asyncio.sleep(0.005)
            job.cancel()  # as close() cancels an attempt awaiting its record
            await dispatcher.close()
            assert finished, "close() returned while the job still ran in its thread"
            with pytest.raises(RuntimeError):
                await dispatcher._jobs.run(lambda: "too late")

    asyncio.run(scenario())
