"""Schema creation and versioned migrations on PostgreSQL: an empty database, one written by an older
release (schema version 2: no apikey.key_hash yet), and one from a newer release (refused untouched)."""

from __future__ import annotations

import hashlib

import pytest

from mockserver.core.db.connect import open_database
from mockserver.core.models import SQLModel
from mockserver.core.db import migrations
from mockserver.settings import Settings
from tests.postgres.conftest import schema_of


def _open(url: str):
    return open_database(Settings(database_url=url, load_fixtures=False))


def _version(pg_admin, schema: str) -> int:
    return pg_admin.execute(f"SELECT version FROM {schema}.schemaversion").fetchone()[0]


def test_an_empty_database_gets_every_table_at_the_latest_version(pg_admin, pg_url):
    db = _open(pg_url)
    db.close()
    schema = schema_of(pg_url)
    tables = {r[0] for r in pg_admin.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))}
    assert {t.name for t in SQLModel.metadata.sorted_tables} | {"schemaversion", "fixtureaccount"} <= tables
    assert _version(pg_admin, schema) == migrations.LATEST
    kinds = dict(pg_admin.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_schema = %s AND table_name = 'message'", (schema,)).fetchall())
    assert kinds["notify"] == "integer" and kinds["created_at"] == "double precision"


def test_a_database_at_an_older_version_is_brought_up_to_date(pg_admin, pg_url):
    db = _open(pg_url)
    db.close()
    schema = schema_of(pg_url)
    # What release 2 left: no key_hash column (migration 3 adds it and fills it from each key).
    pg_admin.execute(f"DROP INDEX IF EXISTS {schema}.ix_apikey_hash")
    pg_admin.execute(f"ALTER TABLE {schema}.apikey DROP COLUMN key_hash")
    pg_admin.execute(f"INSERT INTO {schema}.apikey (provider, key, account_id, scopes, status, ip_allowlist, "
                     "sandbox, created_at) VALUES ('cast', 'old-release-key', 'acc-1', '[\"*\"]', 'active', '[]', 0, 0)")
    pg_admin.execute(f"UPDATE {schema}.schemaversion SET version = 2")
    db = _open(pg_url)
    db.close()
    assert _version(pg_admin, schema) == migrations.LATEST
    stored = pg_admin.execute(f"SELECT key_hash FROM {schema}.apikey WHERE key = 'old-release-key'").fetchone()[0]
    assert stored == hashlib.sha256(b"old-release-key").hexdigest()


def test_a_database_from_a_newer_release_is_refused_untouched(pg_admin, pg_url):
    db = _open(pg_url)
    db.close()
    schema = schema_of(pg_url)
    pg_admin.execute(f"UPDATE {schema}.schemaversion SET version = %s", (migrations.LATEST + 1,))
    with pytest.raises(migrations.SchemaTooNew, match=f"schema version {migrations.LATEST + 1}, but this mockserver"):
        _open(pg_url)
    assert _version(pg_admin, schema) == migrations.LATEST + 1
