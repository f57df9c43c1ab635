"""`mockserver serve --workers N` (N >= 2): N-1 API processes serving the one listening socket and one
engine process (background scheduler, webhook delivery, feed relay), all on the same database, sharing
the clock and the live feed through it as replicas do (core/shared.py). This parent only supervises:
it restarts a child that dies (counted in the process table, shown by /_mock/health) and on SIGTERM or
Ctrl-C stops every child and exits 0.

Why our own ~150 lines and not uvicorn's `--workers`: uvicorn's Multiprocess supervises uvicorn servers
only (an app given as an import string), so the engine, which serves no HTTP, would need a second
supervisor beside it with its own signal handling; here one loop restarts both kinds and writes the
restarts where health reads them. Children are `spawn`ed (no fork of a parent with threads or open
database connections); on Linux each also dies with its parent (PR_SET_PDEATHSIG), so a SIGKILLed
parent is a SIGKILLed server, with no orphans behind."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from mockserver.core import shared
from mockserver.processes import FIELDS, ROLES, UNKNOWN, ProcessSlot, ProcessTable

RESTART_DELAY = 0.5  # seconds between a child's death and its restart (no busy loop on a crash at start)
GIVE_UP_AFTER = 5  # children that die before their first heartbeat, in a row: the start is broken
STOP_WAIT = 15.0  # seconds children get to finish in-flight requests and webhooks before SIGKILL
FIRST_BEAT_WAIT = 120.0  # seconds the first API process may take to migrate and load fixtures


class Supervisor:
    """Starts, watches and stops the children; `run()` returns the exit code of `serve`."""

    def __init__(self, settings: Any, sock: socket.socket, workers: int, log_level: str) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.settings, self.sock, self.log_level = settings, sock, log_level
        self.roles = ["api"] * (workers - 1) + ["engine"]
        self.table = ProcessTable.create(self.ctx, len(self.roles))
        for slot, role in enumerate(self.roles):  # health names a slot not started yet by its role (alive: no)
            self.table.set(slot, "role", float(ROLES.index(role)))
        self.children: list[Any] = [None] * len(self.roles)
        self.stopping = threading.Event()
        self.failed_starts = 0

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        try:
            # The first API process alone first: it migrates the schema and loads the fixtures once.
            self._start(0)
            if not self._first_beat(0):
                return self._stop(1)
            for slot in range(1, len(self.roles)):
                self._start(slot)
            while not self.stopping.wait(0.2):
                if not self._watch():
                    return self._stop(1)
            return self._stop(0)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)

    def _start(self, slot: int) -> None:
        role = self.roles[slot]
        for name in FIELDS:
            if name != "restarts":
                self.table.set(slot, name, UNKNOWN if name == "webhook_depth" else 0.0)
        self.table.set(slot, "role", float(ROLES.index(role)))
        settings = self.settings.model_copy(update={"process_role": role, "shared_state": "on"})
        args = (settings, self.table.array, slot, self.log_level, self.sock if role == "api" else None,
                self._local_buckets())
        proc = self.ctx.Process(target=child_main, args=args, name=f"mockserver-{role}-{slot}")
        proc.start()
        self.children[slot] = proc
        self.table.set(slot, "pid", float(proc.pid))
        self.table.set(slot, "started_at", time.time())
        self.table.set(slot, "alive", 1.0)

    def _local_buckets(self) -> bool:
        """Rate-limit buckets stay in the API process's memory when it is the only process taking requests
        on this database (one API process, no replicas asked for): one upsert per send saved; the engine
        takes no requests."""
        return self.roles.count("api") == 1 and not shared.enabled(self.settings.shared_state,
                                                                   self.settings.database_url)

    def _first_beat(self, slot: int) -> bool:
        deadline = time.monotonic() + FIRST_BEAT_WAIT
        while not self.table.get(slot, "heartbeat"):
            if self.stopping.wait(0.05) or not self.children[slot].is_alive() or time.monotonic() > deadline:
                if not self.stopping.is_set():
                    print("mockserver: the first API process did not start (see above)", file=sys.stderr, flush=True)
                return self.stopping.is_set()
        return True

    def _watch(self) -> bool:
        """Restart every child that has exited; False when children keep dying before they start."""
        for slot, proc in enumerate(self.children):
            if proc.is_alive():
                continue
            self.table.set(slot, "alive", 0.0)
            started = bool(self.table.get(slot, "heartbeat"))
            self.failed_starts = 0 if started else self.failed_starts + 1
            if self.failed_starts >= GIVE_UP_AFTER:
                print("mockserver: children keep exiting before they start; stopping", file=sys.stderr, flush=True)
                return False
            print(f"mockserver: {self.roles[slot]} process {proc.pid} exited ({proc.exitcode}); restarting",
                  file=sys.stderr, flush=True)
            if self.stopping.wait(RESTART_DELAY):
                return True
            self.table.set(slot, "restarts", self.table.get(slot, "restarts") + 1)
            self._start(slot)
        return True

    def _stop(self, code: int) -> int:
        """SIGTERM to every child, SIGKILL to whoever is still there after STOP_WAIT; then `code`."""
        live = [p for p in self.children if p is not None and p.is_alive()]
        for proc in live:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        deadline = time.monotonic() + STOP_WAIT
        for proc in live:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        return code


def child_main(settings: Any, array: Any, slot: int, log_level: str, sock: socket.socket | None,
               local_buckets: bool) -> None:
    """A child's whole life: build the app, then serve HTTP (api) or run the lifespan alone (engine)."""
    _die_with_parent()
    from mockserver.app import create_app
    from mockserver.startup import freeze_startup_heap, uvicorn_config

    process = ProcessSlot(ProcessTable(array), slot, local_buckets)
    app = create_app(settings, process=process)
    freeze_startup_heap()
    if sock is None:
        asyncio.run(_engine(app))
        return
    import uvicorn

    host, port = sock.getsockname()[:2]
    uvicorn.Server(uvicorn_config(app, settings, host, port, log_level)).run(sockets=[sock])


async def _engine(app: Any) -> None:
    """The engine serves no HTTP: the app's lifespan runs the scheduler, delivery and heartbeat until
    SIGTERM or SIGINT, then shuts them down as a server would (in-flight webhooks finish)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with app.router.lifespan_context(app):
        await stop.wait()


def _die_with_parent() -> None:
    """Linux: SIGKILL this child when the supervisor dies without stopping it (itself SIGKILLed or crashed):
    the server then dies as one process would, holding nothing (an in-flight webhook is sent again once
    its lease expires) and leaving no orphan on the port. A stop the supervisor hears is graceful."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    # The signal only covers a parent dying from now on: one SIGKILLed while this child was still starting
    # (importing, before the prctl) left it running as an orphan (seen: an engine started after health
    # answered). Re-parented already: end now, as the signal would have.
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(0)
