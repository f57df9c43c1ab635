"""Request bins: requests caught at /_mock/bins/{bin}, newest first, bounded per bin (oldest pruned)."""

from __future__ import annotations

import sqlite3

from mockserver.core.models import BinRequest
from mockserver.core.store.rows import insert, to_models


def add(conn: sqlite3.Connection, req: BinRequest, keep: int) -> BinRequest:
    """Store a request, then drop the bin's oldest beyond `keep` (so one chatty bin cannot fill the disk)."""
    req.id = insert(conn, req)
    conn.execute("DELETE FROM binrequest WHERE bin = ? AND id <= "
                 "(SELECT id FROM binrequest WHERE bin = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                 (req.bin, req.bin, keep))
    return req


def newest(conn: sqlite3.Connection, bin_name: str, before_id: int | None, limit: int) -> list[BinRequest]:
    """A bin's requests newest first; `before_id` is the keyset cursor (ids below it)."""
    sql, args = "SELECT * FROM binrequest WHERE bin = ?", [bin_name]
    if before_id is not None:
        sql += " AND id < ?"
        args.append(before_id)
    return to_models(BinRequest, conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit]))


def summary(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int, int]]:
    """(bin, request count, newest id) for every bin, most recently used first."""
    rows = conn.execute("SELECT bin, COUNT(*), MAX(id) FROM binrequest GROUP BY bin ORDER BY MAX(id) DESC LIMIT ?",
                        (limit,))
    return [(r[0], r[1], r[2]) for r in rows]


def clear(conn: sqlite3.Connection, bin_name: str | None = None) -> int:
    """Empty one bin, or every bin; returns how many requests went."""
    if bin_name is None:
        return conn.execute("DELETE FROM binrequest").rowcount
    return conn.execute("DELETE FROM binrequest WHERE bin = ?", (bin_name,)).rowcount
