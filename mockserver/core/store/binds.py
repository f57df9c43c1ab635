"""Parameters of the store's statements: the helpers every store module binds with (an IN list with one
parameter per value, its values, ids a client may have chosen, constant words), and the padding that keeps
the number of statement shapes small.

Each new length of an IN list or of a list of id ranges is a new statement: compiled by SQLAlchemy (~0.5 ms,
~2.5 ms for 128 ranges) and prepared by the driver. Padded to a power of two, a few shapes serve every length.
"""

from __future__ import annotations

from typing import Iterable, TypeVar

from sqlalchemy import BigInteger, bindparam, literal_column

T = TypeVar("T")


def in_list(column, name: str, n: int):
    """`column IN (:name0, ..., :name<n-1>)`: one parameter per value, so the text is final when compiled
    (Core's `in_(list)` leaves an expanding parameter that only SQLAlchemy's execution layer renders)."""
    return column.in_([bindparam(f"{name}{i}") for i in range(n)])


def in_params(name: str, values: Iterable) -> dict:
    return {f"{name}{i}": v for i, v in enumerate(values)}


def padded(values: list[T]) -> list[T]:
    """`values` padded to a power of two by repeating its last item (IN and OR ignore a repeat)."""
    size = 1 << max(len(values) - 1, 0).bit_length() if values else 0
    return [*values, *values[-1:] * (size - len(values))]


def padded_in_params(name: str, values: list) -> tuple[int, dict]:
    """A non-empty list's in_list parameters, padded: (the padded length, the parameters)."""
    values = padded(values)
    return len(values), in_params(name, values)


def big_id(name: str):
    """An id or keyset cursor a client may have chosen: bound as BIGINT, so one beyond any id compares
    and finds nothing (Core binds a compared parameter with its column's type, and PostgreSQL refuses
    a value past int4 as an INTEGER parameter)."""
    return bindparam(name, type_=BigInteger)


def words(*values: str) -> list:
    """Constant strings for an IN list, as SQL literals (known values, never user input)."""
    return [literal_column(f"'{v}'") for v in values]
