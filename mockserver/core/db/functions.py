"""SQL the two dialects spell differently, as Core constructs the store composes into its statements:
scalar least/greatest (SQLite's two-argument min/max) and the rows of a JSON array parameter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class least(GenericFunction):  # noqa: N801  (reads as SQL)
    """The smaller of its arguments: SQLite's scalar min(a, b), PostgreSQL's LEAST(a, b)."""

    inherit_cache = True


class greatest(GenericFunction):  # noqa: N801
    """The larger of its arguments: SQLite's scalar max(a, b), PostgreSQL's GREATEST(a, b)."""

    inherit_cache = True


def _spell(function: type, dialect: str, name: str) -> None:
    """Compile `function` on `dialect` as `name(arguments)`."""
    compiles(function, dialect)(lambda element, compiler, **kw: f"{name}({compiler.process(element.clauses, **kw)})")


for _function, _sqlite, _postgresql in ((least, "min", "LEAST"), (greatest, "max", "GREATEST")):
    _spell(_function, "sqlite", _sqlite)
    _spell(_function, "postgresql", _postgresql)


def json_array_rows(dialect: Any, param: str, alias: str = "je"):
    """The elements of the JSON array bound to `param` as a subquery with columns `value` (text) and
    `key` (0-based index), the shape SQLite's json_each gives; use inside Statement(lambda d: ...),
    which passes the dialect module. Both texts are written out here, side by side."""
    if dialect.__name__.endswith("sqlite"):
        rows = text(f"SELECT value, key FROM json_each(:{param})")
    else:
        rows = text(f"SELECT t.value, t.ord - 1 AS key FROM json_array_elements_text(CAST(:{param} AS json)) "
                    f"WITH ORDINALITY AS t(value, ord)")
    return rows.columns(value=String, key=Integer).subquery(alias)
