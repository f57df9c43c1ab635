"""PostgreSQL backend (psycopg 3): the same small connection surface the store uses on SQLite.

`PgDatabase` mirrors `sqlite.Database`: `conn()` gives this thread's connection (autocommit: each read
stands alone), `write()` a READ COMMITTED transaction with no global lock: writers of different rows run
side by side, on one replica or many. The store keeps each check-then-write atomic by itself (a
conditional UPDATE, ON CONFLICT, FOR UPDATE [SKIP LOCKED] on the rows it claims); SQLite keeps its single
writer (BEGIN IMMEDIATE). Statements come compiled for PostgreSQL from core/db/sql.py; nothing is rewritten here.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import adapt, pq
from psycopg.rows import tuple_row
from psycopg.types.string import TextLoader

from mockserver.core.db import reads


#: Advisory lock keys (class 0x4d4f434b = "MOCK"): schema set-up, and the recipient id allocator (held for
#: the two statements of store/messages' reservation only, never for a transaction). Key 1 was the global
#: write lock, gone: its number stays unused so a mixed-version cluster never shares a key by accident.
#: `write(key=...)` locks use class LOCK_CLASS + 1.
LOCK_CLASS = 0x4D4F434B
SCHEMA_KEY, RECIPIENT_IDS_KEY = 2, 3


#: What a write transaction's first statement carries in front of it (PgConnection.execute).
_SEPARATOR = "; "
BEGIN_PREFIX = "BEGIN" + _SEPARATOR
_BEGIN_ITEM = ("BEGIN", None)


def conninfo(url: str) -> str:
    """libpq wants postgresql:// (SQLAlchemy's postgresql+psycopg:// and Heroku's postgres:// are accepted)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def is_postgres_url(url: str) -> bool:
    return url.split("://", 1)[0] in ("postgresql", "postgres", "postgresql+psycopg")


class _BoolDumper(adapt.Dumper):
    """Python bools go out as 0/1 into the INTEGER flag columns."""

    oid = psycopg.postgres.types["int4"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _NumberLoader(adapt.Loader):
    """numeric (sum() over integers) -> int or float, as SQLite returns; never Decimal (JSON chokes on it)."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if "." in text or "e" in text.lower() or text in ("NaN", "Infinity") else int(text)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type:
    index = {name: i for i, name in enumerate(names)}

    class Row(tuple):
        """A tuple that is also readable by column name, like sqlite3.Row (dict(row) works)."""

        __slots__ = ()

        def __getitem__(self, key):  # type: ignore[override]
            return tuple.__getitem__(self, index[key] if isinstance(key, str) else key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def named_row(cursor: psycopg.Cursor):
    desc = cursor.description
    if desc is None:
        return tuple_row(cursor)
    cls = _row_class(tuple(d.name for d in desc))
    return cls


class Cursor:
    """psycopg cursor with sqlite3's bits the store reads: rowcount, lastrowid (None), row_factory=None."""

    def __init__(self, cur: psycopg.Cursor) -> None:
        self._cur = cur

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    lastrowid = None

    @property
    def row_factory(self):
        return self._cur.row_factory

    @row_factory.setter
    def row_factory(self, factory) -> None:
        self._cur.row_factory = tuple_row if factory is None else factory

    def fetchone(self):
        return self._cur.fetchone() if self._cur.description is not None else None

    def fetchall(self) -> list:
        return self._cur.fetchall() if self._cur.description is not None else []

    def __iter__(self):
        return iter(self._cur) if self._cur.description is not None else iter(())


class Queued:
    """The cursor of a statement queued in a batched transaction (PgDatabase.write(batched=True)): reading
    anything of it sends every statement queued so far in one round trip (PgConnection.send_queued), which
    hands each its rows and row count."""

    lastrowid = None
    row_factory = None  # rows come as named tuples whatever is set (a tuple is what setting None asks for)

    def __init__(self, conn: PgConnection) -> None:
        self._conn = conn
        self._rows: list | None = None
        self._rowcount = -1
        self._at = 0  # rows fetched so far

    def _take(self, cur: psycopg.Cursor) -> None:
        self._rowcount = cur.rowcount
        self._rows = cur.fetchall() if cur.description is not None else []

    def _result(self) -> list:
        if self._rows is None:
            self._conn.send_queued()
            if self._rows is None:  # an earlier statement of its batch failed: this one never ran
                raise RuntimeError("this statement's transaction failed before it ran")
        return self._rows

    @property
    def rowcount(self) -> int:
        self._result()
        return self._rowcount

    def fetchone(self):
        rows = self._result()
        if self._at >= len(rows):
            return None
        self._at += 1
        return rows[self._at - 1]

    def fetchall(self) -> list:
        rows, at = self._result(), self._at
        self._at = len(rows)
        return rows[at:] if at else rows

    def __iter__(self):
        return iter(self.fetchall())


class PgConnection:
    """One psycopg connection in autocommit mode behind sqlite3.Connection's execute/executemany."""

    dialect = "postgresql"

    def __init__(self, info: str) -> None:
        # Client-side binding: parameters become literals typed by their context, as SQLite takes them
        # (server-side binding could not type `? IS NULL` or a NULL in an INSERT ... SELECT list).
        self.raw = psycopg.connect(info, autocommit=True, row_factory=named_row, cursor_factory=psycopg.ClientCursor)
        # A ClientCursor never prepares, yet psycopg keeps its prepared-statement counts for every statement
        # unless the threshold is None: bookkeeping for nothing.
        self.raw.prepare_threshold = None
        self.raw.adapters.register_dumper(bool, _BoolDumper)
        for name in ("json", "jsonb"):  # JSON text, as SQLite hands it out
            self.raw.adapters.register_loader(name, TextLoader)
        self.raw.adapters.register_loader("numeric", _NumberLoader)

    #: In an open write transaction (PgDatabase.write): the statements not sent yet (bound on the client),
    #: BEGIN first, each with the Queued cursor that takes its result (None: nothing reads it).
    queue: list[tuple[str, Queued | None]] | None = None
    #: Whether execute() holds statements until a result is read (a batched transaction), or sends each at
    #: once with what is queued in front of it (the transaction's BEGIN).
    batched = False

    def execute(self, sql: str, params: Any = None) -> Cursor | Queued:
        """A statement in PostgreSQL's words (core/db/sql.py compiles the store's; a few fixed texts such as
        SAVEPOINT are the same on both engines), with `%(name)s` / `%s` parameters."""
        cur = self.raw.cursor()
        if self.queue is None or not (self.queue or self.batched):  # no transaction, or nothing to go with
            cur.execute(sql, params)
            return Cursor(cur)
        text = sql if params is None else cur.mogrify(sql, params)
        if self.batched:
            queued = Queued(self)
            self.queue.append((text, queued))
            return queued
        # "BEGIN; <statement>" in one simple-protocol query (the ClientCursor binds on the client, so the text
        # goes as it is): a round trip fewer per transaction. Under load each one costs ~1 ms of waiting (a
        # writer thread timed BEGIN alone at 0.97 ms of a send's ~10 ms). The last result is the statement's.
        self.queue.append((text, None))
        self._send(cur)
        return Cursor(cur)

    def send_queued(self) -> None:
        """The queued statements as one simple-protocol query: one round trip, one result each, in order.
        The first that fails stops the rest (PostgreSQL skips them) and raises here. Also before what cannot
        go with them (executemany, COPY)."""
        if self.queue:
            self._send(self.raw.cursor())

    def _send(self, cur: psycopg.Cursor) -> None:
        queue, self.queue = self.queue, []
        cur.execute(_SEPARATOR.join(text for text, _ in queue))
        for i, (_, queued) in enumerate(queue):
            if i:
                cur.nextset()
            if queued is not None:
                queued._take(cur)


    def executemany(self, sql: str, rows: Any) -> Cursor:
        """psycopg pipelines executemany (one round trip for all rows); for one row a plain execute does the
        same work without entering and leaving pipeline mode (the store's commonest case: one message's
        rows)."""
        rows = list(rows)
        if len(rows) == 1:
            return self.execute(sql, rows[0])
        cur = self.raw.cursor()
        if rows:
            self.send_queued()
            cur.executemany(sql, rows)
        return Cursor(cur)


    @contextmanager
    def copy(self, sql: str) -> Iterator[psycopg.Copy]:
        """`COPY ... FROM STDIN` in this connection's transaction: what is queued (its BEGIN, a batched
        transaction's statements) goes first, since COPY cannot go in one query with other statements."""
        self.send_queued()
        with self.raw.cursor().copy(sql) as copy:
            yield copy

    @property
    def in_transaction(self) -> bool:
        return self.queue is not None or self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


#: Idle connections of closed PgDatabase objects, per conninfo: a sandbox restarted in the same process
#: (tests build one per test, on a reused schema) takes them instead of paying a new backend each time.
_IDLE: dict[str, list[PgConnection]] = {}
_IDLE_LOCK = threading.Lock()
_IDLE_MAX = 8


def _take_idle(info: str) -> PgConnection | None:
    with _IDLE_LOCK:
        pool = _IDLE.get(info, [])
        while pool:
            conn = pool.pop()
            if not conn.raw.closed and not conn.in_transaction:
                return conn
    return None


def _park(info: str, conn: PgConnection) -> None:
    """Keep an idle, healthy connection for the next PgDatabase on the same URL; close anything else."""
    if not conn.raw.closed and not conn.in_transaction:
        with _IDLE_LOCK:
            pool = _IDLE.setdefault(info, [])
            if len(pool) < _IDLE_MAX:
                pool.append(conn)
                return
    try:
        conn.close()
    except psycopg.Error:
        pass


def close_idle(url: str | None = None) -> None:
    """Close the parked connections (of one URL, or all): before its schema is dropped, at exit."""
    with _IDLE_LOCK:
        infos = list(_IDLE) if url is None else [conninfo(url)]
        parked = [c for info in infos for c in _IDLE.pop(info, [])]
    for conn in parked:
        try:
            conn.close()
        except psycopg.Error:
            pass


class PgDatabase:
    """A PostgreSQL database (one schema: the URL's search_path); a connection per thread."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = None  # no file: callers that show a path show the URL instead
        self.conninfo = conninfo(url)
        self._local = threading.local()
        self._all: list[PgConnection] = []
        self._lock = threading.Lock()

    def new_connection(self) -> PgConnection:
        return _take_idle(self.conninfo) or PgConnection(self.conninfo)

    def conn(self) -> PgConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.raw.closed:
            conn = self.new_connection()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self, key: str | None = None, batched: bool = False) -> Iterator[PgConnection]:
        """A transaction (READ COMMITTED). No lock by default: its statements say what they need (see the
        module docstring). With `key`, writers of the same key wait on each other (a transaction-scoped
        advisory lock on that key only), for a check-then-insert of a row that does not exist yet.

        Its BEGIN goes with its first statement. `batched` (the group writer's jobs) queues every statement
        until one's result is read, then sends them together, the rest with the COMMIT: a small send's nine
        round trips become three (BEGIN with its id reservation, whose result it reads; its writes with its
        credit debit, whose row count decides the answer; the COMMIT). What a queued statement gets wrong is
        raised by the read that sends it, or by the COMMIT: nothing in a send catches it sooner."""
        conn = self.conn()
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        conn.queue, conn.batched = [_BEGIN_ITEM], batched
        try:
            if key is not None:
                hold_key(conn, key)
            yield conn
            if not conn.queue:  # everything went out: COMMIT alone
                conn.raw.execute("COMMIT")
            elif conn.queue != [_BEGIN_ITEM]:  # a batched transaction's last statements go with the COMMIT
                conn.queue.append(("COMMIT", None))
                conn.send_queued()
            # else: it ran no statement, so nothing was sent and nothing needs ending
        except BaseException:
            conn.queue = None
            if conn.raw.info.transaction_status != pq.TransactionStatus.IDLE:
                conn.raw.execute("ROLLBACK")
            raise
        finally:
            conn.queue, conn.batched = None, False
            reads.forget()  # this request's remembered versions may be stale now

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                _park(self.conninfo, conn)
            self._all.clear()
        self._local = threading.local()


def hold_key(conn: PgConnection, key: str) -> None:
    """Inside an open transaction: writers holding the same `key` wait for each other until their transactions
    end (a transaction-scoped advisory lock on that key only; PgDatabase.write(key) takes it up front)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS + 1, key))
