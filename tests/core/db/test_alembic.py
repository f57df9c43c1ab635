"""The Alembic revisions and the metadata agree: replaying 0001-0005 on an empty database builds the schema
that create_all + stamp builds for a fresh one (what Alembic's autogenerate would see as a difference is none)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from mockserver.core.db import migrate


def schema_drift(target: migrate.Target) -> list:
    """Differences between the database and the models' metadata (tables, columns, types, indexes), as
    Alembic's autogenerate sees them."""
    with migrate._connection(target) as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours})
        return [d for d in compare_metadata(context, SQLModel.metadata) if not _sqlite_text_key(d)]


def _sqlite_text_key(diff) -> bool:
    """The old runner's `account_id TEXT PRIMARY KEY`: SQLite lets a non-integer primary key hold NULL
    unless told NOT NULL, which create_all says; nothing ever writes a NULL there."""
    return isinstance(diff, list) and len(diff) == 1 and diff[0][0] == "modify_nullable" \
        and diff[0][2:4] == ("fixtureaccount", "account_id")


def _ours(name, kind, parent) -> bool:  # noqa: ARG001
    """store/cache.py keeps its own counter table (with triggers), made at run time, outside the schema."""
    return not (kind == "table" and name == "cacheversion")


def replay_every_revision(target: migrate.Target) -> None:
    with migrate._locked(target) as conn:
        cfg = migrate.config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def sqlite_target(path: Path) -> migrate.Target:
    return migrate.Target(str(path), "sqlite", lambda: sqlite3.connect(path, isolation_level=None, timeout=30))


def test_replaying_the_revisions_builds_what_create_all_builds(tmp_path):
    replayed, created = sqlite_target(tmp_path / "replayed.db"), sqlite_target(tmp_path / "created.db")
    replay_every_revision(replayed)
    assert migrate.upgrade(created) == [f"created the schema at {migrate.head()} (head)"]
    assert schema_drift(replayed) == [] and schema_drift(created) == []
    assert migrate.current(replayed) == migrate.current(created) == f"{migrate.head()} (head)"


def test_the_scripts_form_one_line_of_history_from_0001_to_the_head():
    revisions = migrate.revisions()
    assert revisions[:5] == list(migrate.OLD_VERSIONS.values())  # the old runner's versions, then plain Alembic
    assert all(int(r[:4]) == n for n, r in enumerate(revisions, start=1))
    assert migrate.scripts().get_heads() == [migrate.head()]
