"""Schema creation and Alembic migrations on PostgreSQL: an empty database, one the old runner left at
schema version 2 (no apikey.key_hash yet), databases built by three earlier commits (rows and clock kept),
one from a newer release (refused untouched), and replicas starting together on an empty one."""

from __future__ import annotations

import hashlib
import threading

import psycopg
import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.core.db.connect import open_database
from mockserver.core.db.postgres import conninfo
from mockserver.core.db import migrate
from mockserver.core.models import SQLModel
from mockserver.settings import Settings
from tests.core.db.test_alembic import replay_every_revision, schema_drift
from tests.hardening.kit import hardening_settings
from tests.hardening.test_upgrades import assert_kept, build_old_database
from tests.postgres.conftest import schema_of


def _open(url: str):
    return open_database(Settings(database_url=url, load_fixtures=False))


def _revision(pg_admin, schema: str) -> list:
    return [r[0] for r in pg_admin.execute(f"SELECT version_num FROM {schema}.alembic_version")]


def _tables(pg_admin, schema: str) -> set[str]:
    return {r[0] for r in pg_admin.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))}


def test_an_empty_database_gets_every_table_at_the_head_revision(pg_admin, pg_url):
    _open(pg_url).close()
    schema = schema_of(pg_url)
    assert {t.name for t in SQLModel.metadata.sorted_tables} | {"alembic_version", "fixtureaccount"} <= \
        _tables(pg_admin, schema)
    assert _revision(pg_admin, schema) == [migrate.head()]
    kinds = dict(pg_admin.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_schema = %s AND table_name = 'message'", (schema,)).fetchall())
    assert kinds["notify"] == "integer" and kinds["created_at"] == "double precision"
    assert schema_drift(migrate.Target(pg_url, "postgresql", lambda: psycopg.connect(conninfo(pg_url)))) == []


def test_a_database_the_old_runner_left_at_version_2_is_stamped_and_upgraded(pg_admin, pg_url):
    _open(pg_url).close()
    schema = schema_of(pg_url)
    # What release 2 left: no key_hash column (revision 3 adds it and fills it from each key), its
    # schemaversion table and no alembic_version.
    pg_admin.execute(f"DROP INDEX {schema}.ix_apikey_hash")
    pg_admin.execute(f"ALTER TABLE {schema}.apikey DROP COLUMN key_hash")
    pg_admin.execute(f"DROP TABLE {schema}.alembic_version")
    pg_admin.execute(f"CREATE TABLE {schema}.schemaversion (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)")
    pg_admin.execute(f"INSERT INTO {schema}.schemaversion VALUES (1, 2)")
    pg_admin.execute(f"INSERT INTO {schema}.apikey (provider, key, account_id, scopes, status, ip_allowlist, "
                     "sandbox, created_at) VALUES ('cast', 'old-release-key', 'acc-1', '[\"*\"]', 'active', '[]', 0, 0)")
    _open(pg_url).close()
    assert _revision(pg_admin, schema) == [migrate.head()]
    assert "schemaversion" not in _tables(pg_admin, schema)
    stored = pg_admin.execute(f"SELECT key_hash FROM {schema}.apikey WHERE key = 'old-release-key'").fetchone()[0]
    assert stored == hashlib.sha256(b"old-release-key").hexdigest()


def test_a_database_from_a_newer_release_is_refused_untouched(pg_admin, pg_url):
    _open(pg_url).close()
    schema = schema_of(pg_url)
    pg_admin.execute(f"UPDATE {schema}.alembic_version SET version_num = '0099_from_the_future'")
    pg_admin.execute(f"DROP TABLE {schema}.feedevent")
    with pytest.raises(migrate.SchemaTooNew, match="schema revision 0099_from_the_future, which this mockserver "
                                                   "does not know"):
        _open(pg_url)
    assert _revision(pg_admin, schema) == ["0099_from_the_future"]
    assert "feedevent" not in _tables(pg_admin, schema)


def test_replicas_starting_together_on_an_empty_database_all_come_up(pg_admin, pg_url):
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def replica() -> None:
        start.wait()
        try:
            _open(pg_url).close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert _revision(pg_admin, schema_of(pg_url)) == [migrate.head()]


#: Commits that ran on PostgreSQL: d2e1d79 (the backend's first), a4e9a00 (with shared state, version 5,
#: its PostgreSQL fixes merged), d8a5304 (the old runner's last).
PG_OLD_COMMITS = ["d2e1d79", "a4e9a00", "d8a5304"]


@pytest.mark.parametrize("commit", PG_OLD_COMMITS)
def test_a_database_from_an_earlier_commit_keeps_messages_accounts_and_clock(pg_admin, pg_url, tmp_path, commit):
    old = build_old_database(commit, tmp_path, url=pg_url)
    app = create_app(hardening_settings(tmp_path, database_url=pg_url, clock_frozen=False, seed=7))
    with TestClient(app) as c:
        assert_kept(c, old)
    schema = schema_of(pg_url)
    assert _revision(pg_admin, schema) == [migrate.head()]
    assert "schemaversion" not in _tables(pg_admin, schema)
    assert schema_drift(migrate.Target(pg_url, "postgresql", lambda: psycopg.connect(conninfo(pg_url)))) == []


def test_replaying_the_revisions_builds_what_create_all_builds(pg_url):
    target = migrate.Target(pg_url, "postgresql", lambda: psycopg.connect(conninfo(pg_url)))
    replay_every_revision(target)
    assert schema_drift(target) == []
    assert migrate.current(target) == f"{migrate.head()} (head)"
