"""Schema set-up on PostgreSQL: SQLModel's tables through SQLAlchemy Core, then the versioned migrations.

Replicas starting together take a session advisory lock first, so only one creates or migrates at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
from sqlalchemy.orm import configure_mappers
from sqlmodel import SQLModel, create_engine

from mockserver.core import models  # noqa: F401  (registers the tables)
from mockserver.core.db.postgres import LOCK_CLASS, SCHEMA_KEY
from mockserver.core.db import migrations
from mockserver.core.db.schema import EXTRA_INDEXES

if TYPE_CHECKING:
    from mockserver.core.db.postgres import PgDatabase


def create(db: PgDatabase) -> None:
    """Refuse a newer release's schema untouched; else create missing tables and run the migrations."""
    if _current(db):  # a restart on a current schema: nothing to create or migrate, no lock to wait for
        configure_mappers()
        return
    guard = db.new_connection()
    try:
        guard.raw.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, SCHEMA_KEY))
        with db.write() as conn:
            version = migrations.refuse_newer(conn, _where(db.url))
        engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(db.conninfo))
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        configure_mappers()
        with db.write() as conn:
            migrations.upgrade(conn, version)
            for ddl in EXTRA_INDEXES:
                conn.execute(ddl)
    finally:
        guard.close()  # ends the session, and with it the advisory lock


def _current(db: PgDatabase) -> bool:
    """The schema is at this release's version with every table (a newer one is refused here too)."""
    conn = db.conn()
    version = migrations.refuse_newer(conn, _where(db.url))
    return version == migrations.LATEST and _complete(conn)


def _complete(conn) -> bool:
    """Every table the models declare exists (create_all would otherwise ask about each in turn)."""
    have = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    return {t.name for t in SQLModel.metadata.sorted_tables} <= have


def _where(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("://", 1)[-1]:
        return url
    scheme, _, user = head.partition("://")
    return f"{scheme}://{user.split(':', 1)[0]}@{tail}"
