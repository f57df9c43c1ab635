"""Schema migrations on Alembic: bring a database to this release's head revision, under a lock, at open
(`prepare`) and for operators (`mockserver db upgrade | current | history`).

The revisions live in core/db/alembic/versions/; 0001-0005 are the five versions of the runner they
replaced, whose `schemaversion` table is read once and turned into a stamp. A brand-new database gets
create_all and a stamp of the head (one DDL pass, no revision replayed); a database at a revision this
release does not know was written by a newer one and is refused untouched (SchemaTooNew).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, func, inspect, select
from sqlalchemy.orm import configure_mappers
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from mockserver.core.db import schema  # noqa: F401  (the whole schema joins SQLModel.metadata)
from mockserver.core.db.postgres import LOCK_CLASS, SCHEMA_KEY, conninfo, is_postgres_url
from mockserver.core.db.sql import DIALECTS, Statement, run

if TYPE_CHECKING:
    from mockserver.core.db.postgres import PgDatabase
    from mockserver.core.db.sqlite import Database
    from mockserver.settings import Settings

SCRIPTS = Path(__file__).with_name("alembic")
#: The old runner's versions and the revisions that replay them.
OLD_VERSIONS = {1: "0001_baseline", 2: "0002_fixture_ledger", 3: "0003_api_key_hashes",
                4: "0004_webhook_delivery", 5: "0005_shared_state"}

_ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))
_SCHEMA_VERSION = Table("schemaversion", MetaData(), Column("id", Integer, primary_key=True),
                        Column("version", Integer))
_READ_REVISION = Statement(select(_ALEMBIC_VERSION.c.version_num))


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release than this code; opening it could corrupt it."""


@dataclass(frozen=True)
class Target:
    """A database to migrate: how to name it (no password) and how to open a DBAPI connection to it."""

    where: str
    dialect: str
    connect: Callable[[], Any]


def config() -> Config:
    """Alembic's configuration, in code (no alembic.ini): the scripts inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    return cfg


@lru_cache(maxsize=1)
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    return scripts().get_current_head()


def prepare(db: Database | PgDatabase, target: Target) -> list[str]:
    """At open: nothing to do on a database at the head (one read, no lock); else upgrade it under the
    schema lock. Returns what ran."""
    try:
        row = run(db.conn(), _READ_REVISION).fetchone()
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):  # no alembic_version table yet
        row = None
    if row is not None and row[0] == head():
        ran: list[str] = []
    else:
        if row is not None:
            _refuse_unknown(row[0], target.where)
        ran = upgrade(target)
    # Rows become models through model_construct (store/rows.py), which does not configure the ORM
    # mappers; on a restart where no model was ever built normally (fixtures unchanged), reading an
    # attribute of such a row then raised AttributeError deep in SQLAlchemy. Configure them now.
    configure_mappers()
    return ran


def upgrade(target: Target) -> list[str]:
    """Bring the database to the head inside one transaction that holds the schema lock (replicas
    starting together wait, then find it done). Returns what it did, a line per revision applied."""
    with _locked(target) as conn:
        context = MigrationContext.configure(conn)
        current = context.get_current_revision()
        present = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if current is None and "schemaversion" in present:
            current = _adopt_old_version(conn, context, target.where)
            present.discard("schemaversion")
        if current is not None:
            _refuse_unknown(current, target.where)
        if current is None and not present:
            for ddl in _schema_ddl(target.dialect):
                conn.exec_driver_sql(ddl)
            context.stamp(scripts(), "head")
            return [f"created the schema at {head()} (head)"]
        pending = [s.revision for s in reversed(list(scripts().iterate_revisions("head", current)))]
        if pending:
            cfg = config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return [f"ran {revision}" for revision in pending]


@lru_cache(maxsize=4)
def _schema_ddl(dialect: str) -> tuple[str, ...]:
    """create_all's statements for an empty database, compiled by SQLAlchemy once per dialect: the test
    suite opens thousands of fresh databases, and compiling ~50 DDL statements was most of each open."""
    compiler = DIALECTS[dialect][0]
    statements: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=compiler)))
        indexes = sorted(table.indexes, key=lambda i: i.name)
        statements += [str(CreateIndex(index).compile(dialect=compiler)) for index in indexes]
    return tuple(statements)


def current(target: Target) -> str:
    """The database's revision as `mockserver db current` prints it; reads only."""
    with _connection(target) as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is None:
            if "schemaversion" in inspect(conn).get_table_names():
                version = conn.execute(select(_SCHEMA_VERSION.c.version)).scalar()
                return f"schema version {version} of the old runner (upgrade maps it to {OLD_VERSIONS.get(version)})"
            return "none (an empty database, or one from before versioning)"
        if revision == head():
            return f"{revision} (head)"
        known = revision in {s.revision for s in scripts().walk_revisions()}
        return f"{revision} ({'behind the head ' + head() if known else 'unknown to this release: newer'})"


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    return [script.revision for script in reversed(list(scripts().walk_revisions()))]


def history() -> list[str]:
    """Every revision, oldest first: `id: first line of its docstring`."""
    lines = []
    for script in reversed(list(scripts().walk_revisions())):
        mark = " (head)" if script.revision == head() else ""
        summary = " ".join((script.doc or "").strip().split("\n\n")[0].split())
        lines.append(f"{script.revision}{mark}: {summary}")
    return lines


def target_of(settings: Settings) -> Target:
    """The database the settings name (MOCKSERVER_DATABASE_URL), for the CLI."""
    url = settings.database_url
    if is_postgres_url(url):
        return Target(where(url), "postgresql", lambda: psycopg.connect(conninfo(url)))
    path = settings.sqlite_path()
    if path is None:
        raise ValueError("an in-memory database lives only inside its server: nothing to migrate")
    return Target(str(path), "sqlite", lambda: sqlite3.connect(path, isolation_level=None, timeout=30))


def where(url: str) -> str:
    """The URL without its password, for messages."""
    head_, sep, tail = url.partition("@")
    if not sep or ":" not in head_.split("://", 1)[-1]:
        return url
    scheme, _, user = head_.partition("://")
    return f"{scheme}://{user.split(':', 1)[0]}@{tail}"


def _refuse_unknown(revision: str, where_: str) -> None:
    try:
        scripts().get_revision(revision)
    except Exception:  # noqa: BLE001  (alembic raises a few kinds for an id it has no script for)
        raise SchemaTooNew(
            f"{where_} is at schema revision {revision}, which this mockserver does not know (its newest is "
            f"{head()}): it was written by a newer release. Run that release (or newer) on it, or point "
            f"MOCKSERVER_DATABASE_URL at another database; it is left untouched.") from None


def _adopt_old_version(conn: Any, context: MigrationContext, where_: str) -> str | None:
    """A database of the old runner: its version becomes the matching revision's stamp, and its
    `schemaversion` table goes (Alembic's alembic_version says the same from now on)."""
    version = conn.execute(select(_SCHEMA_VERSION.c.version).where(_SCHEMA_VERSION.c.id == 1)).scalar()
    if version is None:
        return None
    if version not in OLD_VERSIONS:
        raise SchemaTooNew(
            f"{where_} has schema version {version}, but this mockserver knows versions up to {max(OLD_VERSIONS)}: "
            f"it was written by a newer release. Run that release (or newer) on it, or point "
            f"MOCKSERVER_DATABASE_URL at another database; it is left untouched.")
    context.stamp(scripts(), OLD_VERSIONS[version])
    _SCHEMA_VERSION.drop(conn)
    return OLD_VERSIONS[version]


@contextmanager
def _connection(target: Target) -> Iterator[Any]:
    engine = create_engine(f"{_DRIVERS[target.dialect]}://", creator=target.connect, poolclass=NullPool)
    if target.dialect == "sqlite":
        # pysqlite leaves BEGIN to the sqlite3 module, which (isolation_level=None) never sends one: take
        # SQLite's write lock up front, so a second process starting at once waits here (busy timeout).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def _locked(target: Target) -> Iterator[Any]:
    """A connection inside a transaction holding the schema lock until it commits: SQLite's write lock
    (BEGIN IMMEDIATE), PostgreSQL's transaction-scoped advisory lock on the schema key."""
    with _connection(target) as conn, conn.begin():
        if target.dialect == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(LOCK_CLASS, SCHEMA_KEY)))
        yield conn


_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
