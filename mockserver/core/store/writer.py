"""Group commit: one writer thread runs many requests' write jobs in one transaction and answers each
after the COMMIT, so a burst of small sends costs one lock hand-over and one commit instead of one each.

Built on `Database.write()` (it takes the same write lock as every other writer, and works the same on
any backend with SAVEPOINT). Each job runs in its own savepoint: a job that raises (e.g. too few credits)
is rolled back alone and gets its exception; the others in the batch still commit. Nothing here knows
what a job writes; `core/sending.py` hands it the submission's statements.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
import weakref
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from mockserver.core.db import Database

#: Most jobs in one transaction: enough to amortise the commit, few enough that the first one waits little.
MAX_BATCH = 64
#: An idle writer thread ends after this many seconds (a new job starts another), so a closed or
#: forgotten Database (tests make hundreds) leaves no thread behind.
IDLE_EXIT_S = 2.0

Job = Callable[[Any], Any]


class GroupWriter:
    """The writer of one Database: `submit(job)` -> a Future resolved after the job's batch committed."""

    def __init__(self, db: Database) -> None:
        self._db = weakref.ref(db)  # the registry below is keyed weakly by the Database: no strong cycle
        self._jobs: queue.SimpleQueue[tuple[Job, contextvars.Context, Future]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> Future:
        """Queue `job(conn)`; it runs in the writer thread inside the caller's context variables."""
        fut: Future = Future()
        self._jobs.put((job, contextvars.copy_context(), fut))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="group-writer", daemon=True)
                self._thread.start()
        return fut

    async def run(self, job: Job) -> Any:
        """Await `job(conn)`'s result (or exception) once it is committed; the event loop stays free."""
        return await asyncio.wrap_future(self.submit(job))

    def _run(self) -> None:
        while True:
            try:
                first = self._jobs.get(timeout=IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:  # a job queued just now must find a live thread (or start one)
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[tuple[Job, contextvars.Context, Future]]) -> None:
        """One transaction for the batch; futures are resolved only after COMMIT (durable before answered)."""
        outcomes: list[tuple[Future, bool, Any]] = []
        try:
            db = self._db()
            if db is None:
                raise RuntimeError("the database of this writer is gone")
            with db.write() as conn:
                for job, ctx, fut in batch:
                    if fut.set_running_or_notify_cancel():
                        outcomes.append((fut, *_in_savepoint(conn, job, ctx)))
        except BaseException as exc:  # the COMMIT (or BEGIN) failed: nothing of the batch is stored
            for fut, _, _ in outcomes:
                fut.set_exception(exc)
            for _, _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for fut, ok, value in outcomes:
            fut.set_result(value) if ok else fut.set_exception(value)


def _in_savepoint(conn: Any, job: Job, ctx: contextvars.Context) -> tuple[bool, Any]:
    conn.execute("SAVEPOINT job")
    try:
        value = ctx.run(job, conn)
    except Exception as exc:  # the job's own refusal: undo only its statements
        conn.execute("ROLLBACK TO SAVEPOINT job")
        conn.execute("RELEASE SAVEPOINT job")
        return False, exc
    conn.execute("RELEASE SAVEPOINT job")
    return True, value


_WRITERS: weakref.WeakKeyDictionary[Database, GroupWriter] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def of(db: Database) -> GroupWriter:
    """The one group writer of `db` (made on first use)."""
    with _WRITERS_LOCK:
        found = _WRITERS.get(db)
        if found is None:
            found = _WRITERS[db] = GroupWriter(db)
        return found
