"""Sender IDs, templates and contact groups: what an account may send from and with."""

from __future__ import annotations

import sqlite3
from typing import Any

from mockserver.core.models import ContactGroup, Sender, Template
from mockserver.core.store.rows import insert, to_model, to_models, update


def senders_of(conn: sqlite3.Connection, account_id: str, status: str | None = None) -> list[Sender]:
    sql, args = "SELECT * FROM sender WHERE account_id = ?", [account_id]
    if status:
        sql += " AND status = ?"
        args.append(status)
    return to_models(Sender, conn.execute(sql + " ORDER BY id", args))


def sender_by_public_id(conn: sqlite3.Connection, account_id: str, public_id: str) -> Sender | None:
    row = conn.execute("SELECT * FROM sender WHERE account_id = ? AND public_id = ?", (account_id, public_id))
    return to_model(Sender, row.fetchone())


def sender_by_name(conn: sqlite3.Connection, account_id: str, name: str) -> Sender | None:
    row = conn.execute("SELECT * FROM sender WHERE account_id = ? AND name = ?", (account_id, name))
    return to_model(Sender, row.fetchone())


def add_sender(conn: sqlite3.Connection, sender: Sender) -> Sender:
    sender.id = insert(conn, sender)
    return sender


def update_sender(conn: sqlite3.Connection, sender_id: int, **values: Any) -> int:
    return update(conn, "sender", {"id": sender_id}, values)


def delete_sender(conn: sqlite3.Connection, sender_id: int) -> int:
    return conn.execute("DELETE FROM sender WHERE id = ?", (sender_id,)).rowcount


def templates_of(conn: sqlite3.Connection, account_id: str) -> list[Template]:
    return to_models(Template, conn.execute("SELECT * FROM template WHERE account_id = ? ORDER BY id", (account_id,)))


def template(conn: sqlite3.Connection, account_id: str, public_id: str) -> Template | None:
    row = conn.execute("SELECT * FROM template WHERE account_id = ? AND public_id = ?", (account_id, public_id))
    return to_model(Template, row.fetchone())


def add_template(conn: sqlite3.Connection, tpl: Template) -> Template:
    tpl.id = insert(conn, tpl)
    return tpl


def update_template(conn: sqlite3.Connection, template_id: int, **values: Any) -> int:
    return update(conn, "template", {"id": template_id}, values)


def delete_template(conn: sqlite3.Connection, template_id: int) -> int:
    return conn.execute("DELETE FROM template WHERE id = ?", (template_id,)).rowcount


def due_reviews(conn: sqlite3.Connection, table: str, now: float) -> list[sqlite3.Row]:
    """Templates or senders whose pending review is due (table is 'template' or 'sender')."""
    assert table in ("template", "sender")
    return conn.execute(
        f"SELECT * FROM {table} WHERE status = 'pending' AND review_at IS NOT NULL AND review_at <= ?", (now,)
    ).fetchall()


def groups_of(conn: sqlite3.Connection, account_id: str) -> list[ContactGroup]:
    return to_models(ContactGroup, conn.execute("SELECT * FROM contactgroup WHERE account_id = ? ORDER BY id", (account_id,)))


def group(conn: sqlite3.Connection, account_id: str, public_id: str) -> ContactGroup | None:
    row = conn.execute("SELECT * FROM contactgroup WHERE account_id = ? AND public_id = ?", (account_id, public_id))
    return to_model(ContactGroup, row.fetchone())


def add_group(conn: sqlite3.Connection, grp: ContactGroup) -> ContactGroup:
    grp.id = insert(conn, grp)
    return grp
