"""Small row helpers shared by the store modules: rows to SQLModel objects, objects to INSERTs."""

from __future__ import annotations

import sqlite3
from typing import Any, Iterable, TypeVar

from sqlmodel import SQLModel

T = TypeVar("T", bound=SQLModel)


def to_model(model: type[T], row: sqlite3.Row | None) -> T | None:
    if row is None:
        return None
    return model.model_construct(**dict(row))


def to_models(model: type[T], rows: Iterable[sqlite3.Row]) -> list[T]:
    return [model.model_construct(**dict(r)) for r in rows]


def insert(conn: sqlite3.Connection, obj: SQLModel) -> int:
    """INSERT every set column of a table object; returns the new rowid."""
    data = {k: v for k, v in obj.model_dump().items() if not (k == "id" and v is None)}
    table = type(obj).__tablename__
    cols = ", ".join(data)
    marks = ", ".join("?" for _ in data)
    cur = conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(data.values()))
    return int(cur.lastrowid)


def update(conn: sqlite3.Connection, table: str, key: dict[str, Any], values: dict[str, Any]) -> int:
    sets = ", ".join(f"{k} = ?" for k in values)
    where = " AND ".join(f"{k} = ?" for k in key)
    cur = conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*values.values(), *key.values()))
    return cur.rowcount


