"""PgDatabase.write saves round trips: its BEGIN goes in front of the first statement, and a batched transaction
(the group writer's jobs) queues statements until a result is read. Each must behave as plain statements would."""

from __future__ import annotations

import psycopg
import pytest

from mockserver.core.db.postgres import PgDatabase


@pytest.fixture
def db(pg_url):
    database = PgDatabase(pg_url)
    with database.write() as conn:
        conn.execute("CREATE TABLE scratch (v INTEGER PRIMARY KEY)")
    yield database
    database.close()


def values(db) -> list[int]:
    return [row[0] for row in db.conn().execute("SELECT v FROM scratch ORDER BY v").fetchall()]


def test_begin_rides_with_the_first_statement_and_the_transaction_is_one(db):
    sent: list[str] = []
    conn = db.conn()
    raw_execute = conn.raw.execute
    conn.raw.execute = lambda query, *args, **kwargs: sent.append(str(query)) or raw_execute(query, *args, **kwargs)
    try:
        with db.write() as c:
            cur = c.execute("INSERT INTO scratch (v) VALUES (%(v)s) RETURNING v", {"v": 1})
            assert cur.fetchone()[0] == 1  # the statement's own result, not BEGIN's
            assert c.in_transaction
            c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 2})
    finally:
        conn.raw.execute = raw_execute
    assert sent == ["COMMIT"]  # no BEGIN of its own
    assert values(db) == [1, 2]


def test_an_error_after_the_first_statement_rolls_everything_back(db):
    with pytest.raises(ValueError), db.write() as c:
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 1})
        raise ValueError("too few credits")
    assert values(db) == []
    assert not db.conn().in_transaction


def test_a_failing_first_statement_leaves_nothing_open(db):
    with pytest.raises(psycopg.errors.UndefinedTable), db.write() as c:
        c.execute("INSERT INTO nowhere (v) VALUES (%(v)s)", {"v": 1})
    assert not db.conn().in_transaction
    with db.write() as c:  # the connection is usable again
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 3})
    assert values(db) == [3]


def test_a_first_executemany_and_an_empty_transaction(db):
    with db.write() as c:
        c.executemany("INSERT INTO scratch (v) VALUES (%(v)s)", [{"v": 4}, {"v": 5}])
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 6})
    with pytest.raises(ValueError), db.write() as c:
        c.executemany("INSERT INTO scratch (v) VALUES (%(v)s)", [{"v": 7}, {"v": 8}])
        raise ValueError("undo")
    with db.write():
        pass  # ran nothing: nothing sent, nothing left open
    assert values(db) == [4, 5, 6]
    assert not db.conn().in_transaction


# -- batched transactions (the group writer's jobs) ----------------------------------------------------


def test_a_batched_transaction_sends_its_statements_when_a_result_is_read_and_with_the_commit(db):
    trips: list[str] = []
    conn = db.conn()
    send = conn.send_queued

    def counted() -> None:
        if conn.queue:
            trips.append(" | ".join(text.split()[0] for text, _ in conn.queue))
        send()
    conn.send_queued = counted
    try:
        with db.write(batched=True) as c:
            first = c.execute("INSERT INTO scratch (v) VALUES (%(v)s) RETURNING v", {"v": 1})
            c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 2})
            assert trips == []  # nothing sent yet
            assert first.fetchone()[0] == 1 and first.fetchone() is None
            assert trips == ["BEGIN | INSERT | INSERT"]
            counted_rows = c.execute("UPDATE scratch SET v = v + 10 WHERE v > %(v)s", {"v": 0})
            c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 3})
            assert counted_rows.rowcount == 2
            c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 4})
    finally:
        del conn.send_queued
    assert trips == ["BEGIN | INSERT | INSERT", "UPDATE | INSERT", "INSERT | COMMIT"]
    assert values(db) == [3, 4, 11, 12]
    assert not db.conn().in_transaction


def test_a_queued_statements_error_at_the_commit_undoes_the_whole_transaction(db):
    with db.write() as c:
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 1})
    with pytest.raises(psycopg.errors.UniqueViolation), db.write(batched=True) as c:
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 2})
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 1})  # raises only when sent: at the COMMIT
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 3})
    assert values(db) == [1]
    assert not db.conn().in_transaction


def test_a_refusal_in_a_batched_transaction_rolls_back_what_was_sent(db):
    with pytest.raises(ValueError), db.write(batched=True) as c:
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s) RETURNING v", {"v": 1}).fetchone()  # sent
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 2})  # queued, never sent
        raise ValueError("too few credits")
    with pytest.raises(ValueError), db.write(batched=True) as c:
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 3})  # nothing sent at all
        raise ValueError("too few credits")
    assert values(db) == []
    assert not db.conn().in_transaction


def test_a_statement_queued_after_a_failing_one_says_it_never_ran(db):
    with pytest.raises(psycopg.errors.UniqueViolation), db.write(batched=True) as c:
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 1})
        c.execute("INSERT INTO scratch (v) VALUES (%(v)s)", {"v": 1})
        later = c.execute("UPDATE scratch SET v = v WHERE v = %(v)s", {"v": 1})
        try:
            later.rowcount  # sends the batch: the duplicate raises
        finally:
            with pytest.raises(RuntimeError, match="failed before it ran"):
                later.fetchall()  # no result to make up
    assert values(db) == []
