"""Small row helpers shared by the store modules: rows to SQLModel objects, objects to INSERTs and UPDATEs
(Core statements cached per table and column set)."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any, Iterable, TypeVar

from sqlalchemy import Table, and_, bindparam
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from sqlmodel import SQLModel

from mockserver.core.db.sql import Statement, dialect_of, run

T = TypeVar("T", bound=SQLModel)


def to_model(model: type[T], row: sqlite3.Row | None) -> T | None:
    if row is None:
        return None
    return model.model_construct(**dict(row))


def to_models(model: type[T], rows: Iterable[sqlite3.Row]) -> list[T]:
    return [model.model_construct(**dict(r)) for r in rows]


def dialect(conn: Any) -> str:
    """"sqlite" or "postgresql": for the few statements that have a faster twin per engine."""
    return dialect_of(conn)


def table_of(name: str) -> Table:
    return SQLModel.metadata.tables[name]


@lru_cache(maxsize=512)
def _insert_statement(table: str, columns: tuple[str, ...], returning: bool) -> Statement:
    t = table_of(table)
    construct = sa_insert(t).values({c: bindparam(c) for c in columns})
    return Statement(construct.returning(t.c.id) if returning else construct)


@lru_cache(maxsize=512)
def _update_statement(table: str, key: tuple[str, ...], columns: tuple[str, ...]) -> Statement:
    t = table_of(table)
    where = and_(*(t.c[k] == bindparam(f"key_{k}") for k in key))
    return Statement(sa_update(t).where(where).values({c: bindparam(f"set_{c}") for c in columns}))


def insert(conn: sqlite3.Connection, obj: SQLModel) -> int | str:
    """INSERT every set column of a table object; returns its id (the new one when the table numbers
    rows: RETURNING works on both engines, lastrowid only on SQLite)."""
    # The fields as they are (what model_dump returns for these flat tables, at a third of its cost).
    values = obj.__dict__
    data = {k: values[k] for k in type(obj).model_fields if not (k == "id" and values[k] is None)}
    table = type(obj).__tablename__
    if "id" in data or "id" not in type(obj).model_fields:
        run(conn, _insert_statement(table, tuple(data), False), data)
        return data.get("id", 0)
    row = run(conn, _insert_statement(table, tuple(data), True), data).fetchone()
    return int(row[0])


def update(conn: sqlite3.Connection, table: str, key: dict[str, Any], values: dict[str, Any]) -> int:
    params = {**{f"key_{k}": v for k, v in key.items()}, **{f"set_{k}": v for k, v in values.items()}}
    return run(conn, _update_statement(table, tuple(key), tuple(values)), params).rowcount
