"""Inbound (MO) messages injected through the control API."""

from __future__ import annotations

import sqlite3

from mockserver.core.models import Inbound
from mockserver.core.store.rows import insert, to_models


def add(conn: sqlite3.Connection, msg: Inbound) -> Inbound:
    msg.id = insert(conn, msg)
    return msg


def list_newest(conn: sqlite3.Connection, provider: str | None = None, account_id: str | None = None, limit: int = 50) -> list[Inbound]:
    where, args = ["1=1"], []
    if provider:
        where.append("provider = ?"); args.append(provider)
    if account_id:
        where.append("account_id = ?"); args.append(account_id)
    rows = conn.execute(f"SELECT * FROM inbound WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?", [*args, limit])
    return to_models(Inbound, rows)
