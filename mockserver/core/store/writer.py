"""Group commit: one writer thread runs many requests' write jobs and answers them together. On SQLite the
jobs share one transaction and are answered after its COMMIT, so a burst of small sends costs one lock
hand-over and one commit instead of one each; each job runs in its own savepoint: a job that raises (e.g.
too few credits) is rolled back alone and gets its exception; the others in the batch still commit.

On PostgreSQL (no global write lock) each job is its own transaction (see GroupWriter._commit), run by one
of WRITER_THREADS threads side by side with the others (each its own hand-over and answer), and a job
the database aborts as a deadlock (two transactions locking two rows in opposite orders, e.g. a send and a
scheduler refund) runs again in a new transaction. Nothing here knows what a job writes; `core/sending.py`
hands it the submission's statements.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable

from mockserver.core.db import reads
from mockserver.core.store import tx

if TYPE_CHECKING:
    from mockserver.core.db.sqlite import Database

#: Most jobs in one transaction: enough to amortise the commit, few enough that the first one waits little.
MAX_BATCH = 64
#: How often an idle writer thread checks whether its Database is gone (then it ends). It does not end
#: merely for being idle: each new thread would open a connection of its own that Database keeps.
IDLE_CHECK_S = 5.0
#: The most `let_through` waits: a stuck batch must not stop the scheduler's tick.
LET_THROUGH_S = 0.05
#: Writer threads per Database on PostgreSQL (each with its own connection).
WRITER_THREADS = 4
#: SQLSTATEs after which a job is run again in a fresh transaction: deadlock_detected, serialization_failure.
RETRY_SQLSTATES = frozenset({"40P01", "40001"})
#: Transactions a job may be tried in before its error is its answer.
MAX_TRIES = 4

Job = Callable[[Any], Any]


class GroupWriter:
    """The writer of one Database: `await run(job)` answers after the job's batch committed.

    Jobs queued during one event-loop iteration go to the writer thread as one hand-over, and their
    answers come back in one call: cross-thread wake-ups are per batch, not per request (py-spy showed a
    wake-up per job costing ~10 % of a small send's CPU). On PostgreSQL a job is a hand-over of its own, so
    that the writer threads wait out their round trips in parallel."""

    def __init__(self, db: Database) -> None:
        self._db = weakref.ref(db)  # the registry below is keyed weakly by the Database: no strong cycle
        self._batches: queue.SimpleQueue[list[Item]] = queue.SimpleQueue()
        self._pending: dict[asyncio.AbstractEventLoop, list[Item]] = {}
        self._lock = threading.Lock()
        # One thread on SQLite (one writer anyway); several on PostgreSQL, where each job is its own
        # transaction and a thread waits out its round trips: others use the wait (WRITER_THREADS).
        self._threads: list[threading.Thread] = []
        self._wanted = WRITER_THREADS if getattr(db, "dialect", "sqlite") == "postgresql" else 1
        # Hand-overs queued and committed so far, for let_through (the scheduler yields to queued sends).
        self._queued = self._committed = 0
        self._progress = threading.Condition(self._lock)

    async def run(self, job: Job) -> Any:
        """`job(conn)`'s result (or exception) once committed; it runs in the writer thread, inside the
        caller's context variables, while the event loop serves others."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        pending = self._pending.setdefault(loop, [])
        pending.append((job, contextvars.copy_context(), fut))
        if len(pending) == 1:
            loop.call_soon(self._hand_over, loop)
        try:
            return await fut
        finally:
            reads.forget()  # the job ran in the writer thread: the caller's remembered versions may be stale

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._pending.pop(loop, [])
        if batch:
            batch = self._commit_here(batch)
        if not batch:
            return
        # SQLite: one hand-over, one transaction. PostgreSQL: each job is its own transaction anyway, so each
        # is its own hand-over, and the writer threads run them side by side: one thread running a whole
        # batch, job after job, each waiting out its round trips, capped one replica at ~160 Cast sends/s
        # with the other threads and both cores half idle.
        parts = [batch] if self._wanted == 1 else [[item] for item in batch]
        with self._lock:
            self._queued += len(parts)
        for part in parts:
            self._batches.put(part)
        self._ensure_thread()

    def _commit_here(self, batch: list[Item]) -> list[Item]:
        """On SQLite, commit (up to MAX_BATCH of) the batch on the event loop's own thread when the write lock
        is free this instant; returns the jobs left for the writer thread (all of them when the lock is taken:
        the loop never waits for it). The thread's hand-over and hand-back cost more than a small send's
        statements: two context switches per batch; a lone Cast send in process 1.08 -> 0.78 ms CPU without them."""
        db = self._db()
        write_if_free = getattr(db, "write_if_free", None)
        if write_if_free is None:  # PostgreSQL: each job is its own transaction, with round trips to wait out
            return batch
        mine, rest = batch[:MAX_BATCH], batch[MAX_BATCH:]
        outcomes = _transaction(write_if_free, mine)
        if outcomes is None:  # the lock is taken
            return batch
        _resolve(outcomes)
        return rest

    def let_through(self, timeout: float = LET_THROUGH_S) -> None:
        """Wait (at most `timeout`) until the hand-overs queued by now are committed: a background writer
        (the scheduler) calls this between its own transactions, so sends waiting for the write lock go
        first instead of racing a lock it would re-take at once. Returns at once when none is queued."""
        with self._lock:
            target = self._queued
            self._progress.wait_for(lambda: self._committed >= target, timeout)

    def _ensure_thread(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self._wanted:
                thread = threading.Thread(target=self._serve, name="group-writer", daemon=True)
                self._threads.append(thread)
                thread.start()

    def _serve(self) -> None:
        while True:
            try:
                batch = self._batches.get(timeout=IDLE_CHECK_S)
            except queue.Empty:
                with self._lock:  # a batch queued just now must find a live thread (or start one)
                    if self._db() is None and self._batches.empty():
                        self._threads.remove(threading.current_thread())
                        return
                continue
            merged = 1
            while self._wanted == 1 and len(batch) < MAX_BATCH:  # SQLite: one transaction for the queued jobs
                try:
                    batch = batch + self._batches.get_nowait()
                    merged += 1
                except queue.Empty:
                    break
            _answer(self._commit(batch))
            with self._lock:
                self._committed += merged
                self._progress.notify_all()

    def _commit(self, batch: list[Item]) -> list[tuple[asyncio.Future, bool, Any]]:
        """The batch's transaction (SQLite) or one per job (PostgreSQL); the outcomes are handed out only
        after their COMMIT (durable before answered)."""
        outcomes: list[tuple[asyncio.Future, bool, Any]] = []
        db = self._db()
        if db is not None and db.dialect == "postgresql":
            # No shared transaction on PostgreSQL: it would hold every account row its jobs charged until its
            # COMMIT, so another replica's send on any of those accounts waited for the whole batch (two
            # replicas then wrote no faster than one). A transaction per job holds its account row for that
            # send only; the server's own group commit amortises the flushes. A batch here is one job (see
            # _hand_over).
            for item in batch:
                outcomes += _alone_retried(db, item)
            return outcomes
        if db is None:
            return [(fut, False, RuntimeError("the database of this writer is gone")) for _, _, fut in batch]
        return _transaction(db.write, batch) or []


Item = tuple[Job, contextvars.Context, asyncio.Future]


def _answer(outcomes: list[tuple[asyncio.Future, bool, Any]]) -> None:
    """Resolve the futures on their loops: one call per loop, not one per future."""
    by_loop: dict[asyncio.AbstractEventLoop, list] = {}
    for item in outcomes:
        by_loop.setdefault(item[0].get_loop(), []).append(item)
    for loop, items in by_loop.items():
        if not loop.is_closed():
            loop.call_soon_threadsafe(_resolve, items)


def _resolve(items: list[tuple[asyncio.Future, bool, Any]]) -> None:
    for fut, ok, value in items:
        if not fut.done():  # a client that went away cancelled its wait; its job is committed anyway
            fut.set_result(value) if ok else fut.set_exception(value)


class _Refused(Exception):
    """Carries a lone job's exception out of its transaction, so that the transaction is rolled back."""


def _alone(db: Any, item: Item, last: bool) -> tuple[list[tuple[asyncio.Future, bool, Any]], list[Item]]:
    """One job as the whole transaction: its refusal rolls back the transaction (what the savepoint does in
    a batch); BEGIN or COMMIT failing is the job's error too."""
    job, ctx, fut = item
    try:
        with db.write(batched=True) as conn:  # statements sent together where no result is read between
            try:
                value = ctx.run(job, conn)
            except Exception as exc:
                raise _Refused() from exc
    except Exception as exc:  # the job's refusal, or its queued statements' error at the COMMIT
        error = exc.__cause__ if isinstance(exc, _Refused) else exc
        if not last and getattr(error, "sqlstate", None) in RETRY_SQLSTATES:
            return [], [item]
        return [(fut, False, error)], []
    return [(fut, True, value)], []


def _alone_retried(db: Any, item: Item) -> list[tuple[asyncio.Future, bool, Any]]:
    """`_alone`, again after a deadlock (at most MAX_TRIES transactions)."""
    for tries in range(1, MAX_TRIES + 1):
        done, again = _alone(db, item, last=tries == MAX_TRIES)
        if not again:
            return done
    return []  # not reached: the last try never asks for another


def _transaction(open_write: Callable[[], Any], batch: list[Item]) -> list[tuple[asyncio.Future, bool, Any]] | None:
    """The batch's jobs in one write transaction from `open_write()` (None: it gave no connection, the lock
    was taken). A lone job's refusal rolls the transaction back; in a batch each job has its savepoint, so a
    refusal undoes that job alone. BEGIN or COMMIT failing is every job's error: nothing of them is stored."""
    outcomes: list[tuple[asyncio.Future, bool, Any]] = []
    try:
        with open_write() as conn:
            if conn is None:
                return None
            if len(batch) == 1:
                job, ctx, fut = batch[0]
                try:
                    outcomes.append((fut, True, ctx.run(job, conn)))
                except Exception as exc:
                    outcomes = [(fut, False, exc)]
                    raise _Refused() from exc
            else:
                for job, ctx, fut in batch:
                    outcomes.append((fut, *_in_savepoint(conn, job, ctx)))
    except _Refused:
        pass
    except Exception as exc:
        outcomes = [(fut, False, exc) for _, _, fut in batch]
    return outcomes


def _in_savepoint(conn: Any, job: Job, ctx: contextvars.Context) -> tuple[bool, Any]:
    try:
        with tx.savepoint(conn, "job"):
            value = ctx.run(job, conn)
    except Exception as exc:  # the job's own refusal: only its statements were undone
        return False, exc
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
