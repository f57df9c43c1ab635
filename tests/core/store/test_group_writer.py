"""core/store/writer.py on SQLite: a batch commits on the event loop's own thread when the write lock is
free, and goes to the writer thread (the loop never waits) when another thread or process holds it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from mockserver.core.db.sqlite import Database
from mockserver.core.store import writer


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = Database(tmp_path / "w.db")
    with database.write() as conn:
        conn.execute("CREATE TABLE scratch (v INTEGER)")
    yield database
    database.close()


def insert(value: int):
    def job(conn):
        conn.execute("INSERT INTO scratch (v) VALUES (?)", (value,))
        return threading.current_thread().name
    return job


def refused(conn):
    conn.execute("INSERT INTO scratch (v) VALUES (-1)")
    raise ValueError("too few credits")


def stored(db: Database) -> list[int]:
    return sorted(row[0] for row in db.conn().execute("SELECT v FROM scratch"))


def test_with_the_lock_free_a_batch_commits_on_the_loops_thread(db):
    async def main():
        loop_thread = threading.current_thread().name
        ran_in = await asyncio.gather(*(writer.of(db).run(insert(v)) for v in range(5)))
        return loop_thread, ran_in

    loop_thread, ran_in = asyncio.run(main())
    assert ran_in == [loop_thread] * 5
    assert stored(db) == [0, 1, 2, 3, 4]


def test_a_refused_job_is_undone_alone_and_gets_its_error(db):
    async def main():
        return await asyncio.gather(writer.of(db).run(insert(1)), writer.of(db).run(refused),
                                    writer.of(db).run(insert(2)), return_exceptions=True)

    first, error, second = asyncio.run(main())
    assert isinstance(error, ValueError) and str(error) == "too few credits"
    assert first == second != "group-writer"
    assert stored(db) == [1, 2]  # the refused job's own insert was rolled back, the others committed


def test_a_lone_refused_job_writes_nothing(db):
    with pytest.raises(ValueError):
        asyncio.run(writer.of(db).run(refused))
    assert stored(db) == []


@pytest.mark.parametrize("holder", ["thread", "process"])
def test_with_the_lock_held_the_loop_goes_on_and_the_writer_thread_commits_later(db, tmp_path, holder):
    """`thread`: another thread of this process is in a write transaction (the in-process mutex);
    `process`: another Database on the same file holds the cross-process flock, as the engine process does."""
    other = Database(tmp_path / "w.db") if holder == "process" else db
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with other.write():
            taken.set()
            release.wait(10)

    holding = threading.Thread(target=hold)
    holding.start()
    assert taken.wait(10)

    async def main():
        send = asyncio.ensure_future(writer.of(db).run(insert(7)))
        ticks = 0
        for _ in range(20):  # the loop keeps running while the write waits for the lock
            await asyncio.sleep(0.005)
            ticks += 1
        assert not send.done()
        release.set()
        return ticks, await asyncio.wait_for(send, 10)

    try:
        ticks, ran_in = asyncio.run(main())
    finally:
        release.set()
        holding.join(10)
        if other is not db:
            other.close()
    assert ticks == 20
    assert ran_in == "group-writer"
    assert stored(db) == [7]


def test_without_a_flock_every_batch_goes_to_the_writer_thread(db):
    """No lock file (Windows, a read-only folder): another process's writer is met only in SQLite's busy
    handler, which must never hold the event loop, so the loop does not commit itself."""
    db._file_lock.close()
    db._file_lock = None

    async def main():
        return await writer.of(db).run(insert(3))

    assert asyncio.run(main()) == "group-writer"
    assert stored(db) == [3]
