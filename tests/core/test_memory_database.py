"""MOCKSERVER_DATABASE_URL=sqlite:///:memory: works under concurrent writers and leaves nothing behind."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from mockserver.core.db.sqlite import Database

pytestmark = pytest.mark.sqlite_only("sqlite:///:memory: is a SQLite URL")


def test_memory_database_takes_concurrent_writers():
    db = Database(None)
    with db.write() as conn:
        conn.execute("CREATE TABLE t (n INTEGER)")

    def write(i: int) -> None:
        with db.write() as conn:
            conn.execute("INSERT INTO t VALUES (?)", (i,))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(write, range(400)))
    assert db.conn().execute("SELECT count(*) FROM t").fetchone()[0] == 400
    scratch = db.path.parent
    db.close()
    assert not scratch.exists()
