"""Which backend a sandbox stores into: SQLite (the default) or PostgreSQL, chosen by the database URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

from mockserver.core.db import migrate, postgres
from mockserver.core.db.sqlite import Database

if TYPE_CHECKING:
    from mockserver.core.db.postgres import PgDatabase
    from mockserver.settings import Settings


def open_database(settings: Settings) -> "Database | PgDatabase":
    """PostgreSQL for a postgresql:// (postgresql+psycopg://, postgres://) URL; else the SQLite file."""
    if postgres.is_postgres_url(settings.database_url):
        db = postgres.PgDatabase(settings.database_url)
        try:
            target = migrate.Target(migrate.where(db.url), "postgresql", lambda: psycopg.connect(db.conninfo))
            migrate.prepare(db, target)  # replicas starting together: one upgrades, the others wait
        except BaseException:
            db.close()
            raise
        return db
    return Database(settings.sqlite_path())
