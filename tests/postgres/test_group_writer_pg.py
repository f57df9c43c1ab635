"""core/store/writer.py on PostgreSQL: each job is its own transaction, and the jobs of one hand-over run
side by side on the writer threads (one thread running them one after another capped a replica's sends)."""

from __future__ import annotations

import asyncio
import threading

from mockserver.core.db.postgres import PgDatabase
from mockserver.core.store import writer


def test_jobs_of_one_hand_over_run_side_by_side_each_in_its_own_transaction(pg_url):
    db = PgDatabase(pg_url)
    try:
        with db.write() as conn:
            conn.execute("CREATE TABLE scratch (v INTEGER)")
        # Every job waits until all of them are inside their transactions: one after another, the first
        # would wait alone and time out.
        inside = threading.Barrier(writer.WRITER_THREADS, timeout=10)

        def job(value: int):
            def run(conn):
                conn.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": value})
                inside.wait()
                return threading.get_ident(), conn.raw.info.backend_pid
            return run

        async def all_at_once():
            return await asyncio.gather(*(writer.of(db).run(job(v)) for v in range(writer.WRITER_THREADS)))

        ran = asyncio.run(all_at_once())
        assert len({thread for thread, _ in ran}) == writer.WRITER_THREADS
        assert len({backend for _, backend in ran}) == writer.WRITER_THREADS  # a transaction each
        rows = db.conn().execute("SELECT v FROM scratch ORDER BY v").fetchall()
        assert [row[0] for row in rows] == list(range(writer.WRITER_THREADS))
    finally:
        db.close()


def test_a_refused_job_on_postgresql_rolls_back_alone(pg_url):
    db = PgDatabase(pg_url)
    try:
        with db.write() as conn:
            conn.execute("CREATE TABLE scratch (v INTEGER)")

        def insert(value: int):
            return lambda conn: conn.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": value}) and value

        def refused(conn):
            conn.execute("INSERT INTO scratch (v) VALUES (-1)")
            raise ValueError("too few credits")

        async def batch():
            w = writer.of(db)
            return await asyncio.gather(w.run(insert(1)), w.run(refused), w.run(insert(2)), return_exceptions=True)

        one, error, two = asyncio.run(batch())
        assert (one, two) == (1, 2) and isinstance(error, ValueError)
        rows = db.conn().execute("SELECT v FROM scratch ORDER BY v").fetchall()
        assert [row[0] for row in rows] == [1, 2]
    finally:
        db.close()
