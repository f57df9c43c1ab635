"""Sender IDs, templates and contact groups: what an account may send from and with."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import bindparam, delete, select

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import ContactGroup, Sender, Template
from mockserver.core.store.rows import insert, to_model, to_models, update

_s, _t, _g = Sender.__table__, Template.__table__, ContactGroup.__table__


def _of_account(t: Any) -> Statement:
    return Statement(select(t).where(t.c.account_id == bindparam("account_id")).order_by(t.c.id))


def _by_public_id(t: Any) -> Statement:
    return Statement(select(t).where(t.c.account_id == bindparam("account_id"),
                                     t.c.public_id == bindparam("public_id")))


def _due_review(t: Any) -> Statement:
    # FOR UPDATE SKIP LOCKED: the scheduler's claim (PostgreSQL); a review another replica is deciding is
    # left to it, and one decided meanwhile is re-checked (status no longer pending), so one verdict each.
    return Statement(select(t).where(t.c.status == "pending", t.c.review_at.is_not(None),
                                     t.c.review_at <= bindparam("now")).with_for_update(skip_locked=True))


_SENDERS = _of_account(_s)
_SENDERS_WITH_STATUS = Statement(select(_s).where(_s.c.account_id == bindparam("account_id"),
                                                  _s.c.status == bindparam("status")).order_by(_s.c.id))
_SENDER_BY_PUBLIC_ID = _by_public_id(_s)
_SENDER_BY_NAME = Statement(select(_s).where(_s.c.account_id == bindparam("account_id"),
                                             _s.c.name == bindparam("name")))
_DELETE_SENDER = Statement(delete(_s).where(_s.c.id == bindparam("id")))
_TEMPLATES = _of_account(_t)
_TEMPLATE = _by_public_id(_t)
_DELETE_TEMPLATE = Statement(delete(_t).where(_t.c.id == bindparam("id")))
_TEMPLATES_DUE = _due_review(_t)
_SENDERS_DUE = _due_review(_s)
_GROUPS = _of_account(_g)
_GROUP = _by_public_id(_g)


def senders_of(conn: sqlite3.Connection, account_id: str, status: str | None = None) -> list[Sender]:
    if status:
        return to_models(Sender, run(conn, _SENDERS_WITH_STATUS, {"account_id": account_id, "status": status}))
    return to_models(Sender, run(conn, _SENDERS, {"account_id": account_id}))


def sender_by_public_id(conn: sqlite3.Connection, account_id: str, public_id: str) -> Sender | None:
    row = run(conn, _SENDER_BY_PUBLIC_ID, {"account_id": account_id, "public_id": public_id}).fetchone()
    return to_model(Sender, row)


def sender_by_name(conn: sqlite3.Connection, account_id: str, name: str) -> Sender | None:
    return to_model(Sender, run(conn, _SENDER_BY_NAME, {"account_id": account_id, "name": name}).fetchone())


def add_sender(conn: sqlite3.Connection, sender: Sender) -> Sender:
    sender.id = insert(conn, sender)
    return sender


def update_sender(conn: sqlite3.Connection, sender_id: int, **values: Any) -> int:
    return update(conn, "sender", {"id": sender_id}, values)


def delete_sender(conn: sqlite3.Connection, sender_id: int) -> int:
    return run(conn, _DELETE_SENDER, {"id": sender_id}).rowcount


def templates_of(conn: sqlite3.Connection, account_id: str) -> list[Template]:
    return to_models(Template, run(conn, _TEMPLATES, {"account_id": account_id}))


def template(conn: sqlite3.Connection, account_id: str, public_id: str) -> Template | None:
    return to_model(Template, run(conn, _TEMPLATE, {"account_id": account_id, "public_id": public_id}).fetchone())


def add_template(conn: sqlite3.Connection, tpl: Template) -> Template:
    tpl.id = insert(conn, tpl)
    return tpl


def update_template(conn: sqlite3.Connection, template_id: int, **values: Any) -> int:
    return update(conn, "template", {"id": template_id}, values)


def delete_template(conn: sqlite3.Connection, template_id: int) -> int:
    return run(conn, _DELETE_TEMPLATE, {"id": template_id}).rowcount


def due_reviews(conn: sqlite3.Connection, table: str, now: float) -> list[sqlite3.Row]:
    """Templates or senders whose pending review is due (table is 'template' or 'sender')."""
    statement = {"template": _TEMPLATES_DUE, "sender": _SENDERS_DUE}[table]
    return run(conn, statement, {"now": now}).fetchall()


def groups_of(conn: sqlite3.Connection, account_id: str) -> list[ContactGroup]:
    return to_models(ContactGroup, run(conn, _GROUPS, {"account_id": account_id}))


def group(conn: sqlite3.Connection, account_id: str, public_id: str) -> ContactGroup | None:
    return to_model(ContactGroup, run(conn, _GROUP, {"account_id": account_id, "public_id": public_id}).fetchone())


def add_group(conn: sqlite3.Connection, grp: ContactGroup) -> ContactGroup:
    grp.id = insert(conn, grp)
    return grp
