"""Every statement of the store, written once with SQLAlchemy Core and compiled once per dialect.

Why not SQLAlchemy's Connection.execute: the store runs on raw DBAPI connections (sqlite3, psycopg),
because a request's few statements through SQLAlchemy's execution layer cost more than the rest of the
send (performance notes). So a `Statement` compiles its Core construct once per dialect, keeps the text
(this is the compiled-statement cache), and `run` hands that text and a dict of parameters straight to
the driver: SQLite's `:name`, psycopg's `%(name)s`, both written by SQLAlchemy's compiler, never by us.

Where a measured hot path needs SQL that Core cannot say (json_each over a parameter, COPY, a CASE
built per request), `Pair` keeps the two hand-written texts side by side, one per dialect; the suite
runs both (every store test runs on SQLite and on PostgreSQL).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.sql import ClauseElement

from mockserver.core.db import schema  # noqa: F401  (its Boolean -> INTEGER rule must precede any compile)

#: The dialects the store speaks, with the drivers' parameter styles; `module` offers the dialect's own
#: constructs (insert(...).on_conflict_do_nothing(), ...), which both dialects spell the same way.
DIALECTS: dict[str, tuple[Any, Any]] = {
    "sqlite": (sqlite.dialect(paramstyle="named"), sqlite),
    "postgresql": (postgresql.psycopg.dialect(paramstyle="pyformat"), postgresql),
}
# psycopg's dialect writes a cast after every parameter (`%(id)s::INTEGER`) for server-side binding. The store
# binds on the client (psycopg.ClientCursor: values become literals typed by their context, as SQLite takes
# them), where those casts only hurt: an id past 2**31 from a client raised "integer out of range" (a 500)
# instead of finding nothing, and a fractional rate bound as INTEGER was truncated.
DIALECTS["postgresql"][0].bind_typing = BindTyping.NONE

Build = ClauseElement | Callable[[Any], ClauseElement]


def dialect_of(conn: Any) -> str:
    """"sqlite" or "postgresql": the connection wrappers say which (a bare sqlite3 connection says nothing)."""
    return getattr(conn, "dialect", "sqlite")


def compile_for(construct: ClauseElement, dialect: str) -> tuple[str, dict[str, Any]]:
    """One Core construct as the text `dialect`'s driver runs (parameters stay named), with the values
    the construct itself carries (a constant in a WHERE becomes a parameter with its value)."""
    # render_postcompile: a constant list (`col.in_(("a", "b"))`) becomes one parameter per item, with its
    # values, instead of a placeholder that only SQLAlchemy's execution layer would expand.
    compiled = construct.compile(dialect=DIALECTS[dialect][0], compile_kwargs={"render_postcompile": True})
    defaults = {k: v for k, v in compiled.params.items() if v is not None}
    # Columns an INSERT/UPDATE leaves out get their model default, which SQLAlchemy's execution layer would
    # compute at run time: supply the scalar ones here; a callable default has to be passed by the caller.
    for column in (*getattr(compiled, "insert_prefetch", ()), *getattr(compiled, "update_prefetch", ())):
        default = column.default if column in getattr(compiled, "insert_prefetch", ()) else column.onupdate
        if default is None or not default.is_scalar:
            raise ValueError(f"{column} has no scalar default: pass it explicitly")
        defaults[column.key] = default.arg
    return str(compiled), defaults


class Statement:
    """A Core construct, or a function of the dialect module that builds one (for the dialect-specific
    insert with ON CONFLICT), compiled lazily once per dialect."""

    __slots__ = ("_build", "_compiled")

    def __init__(self, build: Build) -> None:
        self._build = build
        self._compiled: dict[str, tuple[str, dict[str, Any]]] = {}

    def compiled(self, dialect: str) -> tuple[str, dict[str, Any]]:
        found = self._compiled.get(dialect)
        if found is None:
            construct = self._build(DIALECTS[dialect][1]) if callable(self._build) else self._build
            found = self._compiled[dialect] = compile_for(construct, dialect)
        return found

    def sql(self, dialect: str) -> str:
        return self.compiled(dialect)[0]


class Pair:
    """Two hand-written texts of one statement, for a measured hot path: SQLite's (`:name` parameters)
    and PostgreSQL's (`%(name)s` parameters, a literal % written %%). None for a dialect whose code path
    never runs it (e.g. a PostgreSQL-only twin of a COPY): running it there raises instead of sending ''."""

    __slots__ = ("sqlite", "postgresql")

    def __init__(self, *, sqlite: str | None, postgresql: str | None) -> None:
        if sqlite is None and postgresql is None:
            raise ValueError("a Pair needs the text of at least one dialect")
        self.sqlite = sqlite
        self.postgresql = postgresql

    def compiled(self, dialect: str) -> tuple[str, dict[str, Any]]:
        text = self.sqlite if dialect == "sqlite" else self.postgresql
        if text is None:
            raise ValueError(f"this statement has no {dialect} text: its caller runs on the other dialect only")
        return text, {}

    def sql(self, dialect: str) -> str:
        return self.compiled(dialect)[0]


def _params(defaults: dict[str, Any], params: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if not defaults:
        return params or {}
    return {**defaults, **params} if params else defaults


def run(conn: Any, statement: Statement | Pair, params: Mapping[str, Any] | None = None) -> Any:
    """Execute on the store's connection; returns the driver's cursor (rowcount, fetchone, iteration). The
    parameters are always a mapping: psycopg then reads the `%%` SQLAlchemy wrote for a literal percent."""
    text, defaults = statement.compiled(dialect_of(conn))
    return conn.execute(text, _params(defaults, params))


def run_many(conn: Any, statement: Statement | Pair, rows: list[Mapping[str, Any]]) -> Any:
    """executemany with a dict of parameters per row."""
    text, defaults = statement.compiled(dialect_of(conn))
    return conn.executemany(text, [_params(defaults, row) for row in rows] if defaults else rows)


def run_once(conn: Any, construct: Build, params: Mapping[str, Any] | None = None) -> Any:
    """A construct whose shape depends on the call (a filter present or not, a set of columns): compiled
    for this call only. Fine off the hot paths (compiling costs ~0.1-0.3 ms)."""
    return run(conn, Statement(construct), params)
