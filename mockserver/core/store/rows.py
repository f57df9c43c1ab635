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


def dialect(conn: Any) -> str:
    """"sqlite" or "postgresql": for the few statements that have a faster twin per engine."""
    return getattr(conn, "dialect", "sqlite")


def insert(conn: sqlite3.Connection, obj: SQLModel) -> int | str:
    """INSERT every set column of a table object; returns its id (the new one when the table numbers
    rows: RETURNING works on both engines, lastrowid only on SQLite)."""
    data = {k: v for k, v in obj.model_dump().items() if not (k == "id" and v is None)}
    table = type(obj).__tablename__
    cols = ", ".join(data)
    marks = ", ".join("?" for _ in data)
    if "id" in data or "id" not in type(obj).model_fields:
        conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(data.values()))
        return data.get("id", 0)
    row = conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id", tuple(data.values())).fetchone()
    return int(row[0])


def update(conn: sqlite3.Connection, table: str, key: dict[str, Any], values: dict[str, Any]) -> int:
    sets = ", ".join(f"{k} = ?" for k in values)
    where = " AND ".join(f"{k} = ?" for k in key)
    cur = conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*values.values(), *key.values()))
    return cur.rowcount


