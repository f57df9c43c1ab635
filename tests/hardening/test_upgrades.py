"""Upgrades keep data: a database built by an earlier commit's code (run in a subprocess from a
`git archive` of that commit) opens with HEAD, is brought to the head Alembic revision and keeps its
messages, accounts and clock; a database from a newer release refuses to start, untouched; `mockserver db`
upgrades, shows and lists revisions; processes starting together on a fresh file create its schema once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.core.runtime import Runtime
from mockserver.core.db import migrate
from tests.core.db.test_alembic import schema_drift, sqlite_target
from tests.hardening.kit import ROOT, hardening_settings

pytestmark = pytest.mark.sqlite_only("earlier releases wrote SQLite files (PostgreSQL: tests/postgres/test_migrations.py)")

#: 11d8de5: before the clock was persisted; eff581a: clock persisted, no boot counter; 45cb85d: main
#: when versioning came (schema version 1); d8a5304: the last commit of the old runner (version 5).
OLD_COMMITS = ["11d8de5", "eff581a", "45cb85d", "d8a5304"]

BUILD = r'''
import json, sys, tomllib
from fastapi.testclient import TestClient
from mockserver.app import create_app
from mockserver.settings import Settings

db, fixtures = sys.argv[1], sys.argv[2]
key = tomllib.load(open(f"{fixtures}/mesms.toml", "rb"))["accounts"][0]["keys"][0]["key"]
settings = Settings(database_url=db if "://" in db else f"sqlite:///{db}", seed=7, scheduler_enabled=False, rate_limit_enabled=False)
with TestClient(create_app(settings)) as c:
    sent = c.post("/mesms/api/v2/sms/send", headers={"x-api-key": key},
                  json={"sender": "MeSMS", "content": "kept across upgrades", "msisdns": ["0812345678"]})
    assert sent.status_code < 300, sent.text
    made = c.post("/_mock/accounts", json={"provider": "mesms", "id": "user-made", "credits": 777})
    assert made.status_code == 201, made.text
    now = c.post("/_mock/clock/advance", json={"seconds": 3600}).json()["now"]
    accounts = {a["id"]: a["credits"] for a in c.get("/_mock/accounts").json()}
    print(json.dumps({"now": now, "accounts": accounts, "api_key": made.json()["credentials"]["api_key"]}))
'''


def old_source(commit: str, into: Path) -> Path:
    """That commit's package (fixtures folded in, as an install would), without touching the worktree."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to build an old database")
    archive = subprocess.run(["git", "archive", "--format=tar", commit, "mockserver", "fixtures"], cwd=ROOT,
                             capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"commit {commit} is not in this clone: {archive.stderr.decode()[:200]}")
    tar = into / "src.tar"
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as fh:
        fh.extractall(into / "src", filter="data")
    shutil.copytree(into / "src" / "fixtures", into / "src" / "mockserver" / "fixtures")
    return into / "src"


def build_old_database(commit: str, tmp_path: Path, url: str | None = None) -> dict:
    """Run that commit's sandbox on `url` (default: tmp_path/sandbox.db): a send, a made account, +1 h."""
    src = old_source(commit, tmp_path)
    db = url or str(tmp_path / "sandbox.db")
    run = subprocess.run([sys.executable, "-c", BUILD, db, str(src / "fixtures")], cwd=src,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    return json.loads(run.stdout.decode().strip().splitlines()[-1])


def assert_kept(c: TestClient, old: dict) -> None:
    """Every row the old commit wrote is there, the clock did not go back, and the old key still sends."""
    now = c.get("/_mock/clock").json()["now"]
    assert now >= old["now"] - 1, f"the clock went back {old['now'] - now:.0f} s"
    assert now - time.time() == pytest.approx(3600, abs=120)
    bodies = [m["body"] for m in c.get("/_mock/messages", params={"provider": "mesms"}).json()["items"]]
    assert bodies == ["kept across upgrades"]
    accounts = {a["id"]: a["credits"] for a in c.get("/_mock/accounts").json()}
    assert accounts["user-made"] == 777
    assert accounts["mesms-demo"] == old["accounts"]["mesms-demo"]  # the spent credit stays spent
    send = c.post("/mesms/api/v2/sms/send", headers={"x-api-key": old["api_key"]},
                  json={"sender": "MeSMS", "content": "after", "msisdns": ["0812345678"]})
    assert send.status_code < 300, send.text  # the old key still works, and a write goes through


def revision_of(path: Path) -> list:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]


def table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def cli(*args: str, db: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], cwd=ROOT, timeout=timeout, capture_output=True,
                          env={"PATH": "/usr/bin:/bin", "MOCKSERVER_DATABASE_URL": f"sqlite:///{db}"}, text=True)


@pytest.mark.parametrize("commit", OLD_COMMITS)
def test_a_database_from_an_earlier_commit_keeps_messages_accounts_and_clock(tmp_path, commit):
    old = build_old_database(commit, tmp_path)
    app = create_app(hardening_settings(tmp_path, clock_frozen=False, seed=7))
    with TestClient(app) as c:
        assert_kept(c, old)
    assert revision_of(tmp_path / "sandbox.db") == [migrate.head()]
    assert "schemaversion" not in table_names(tmp_path / "sandbox.db")  # alembic_version says it now
    assert schema_drift(sqlite_target(tmp_path / "sandbox.db")) == []  # the same schema as a fresh database


def test_a_fresh_database_is_at_the_head_revision(tmp_path):
    Runtime(hardening_settings(tmp_path)).db.close()
    assert revision_of(tmp_path / "sandbox.db") == [migrate.head()]


def _from_a_newer_release(tmp_path: Path) -> Path:
    Runtime(hardening_settings(tmp_path)).db.close()
    path = tmp_path / "sandbox.db"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        conn.execute("DROP TABLE fixtureaccount")
    return path


def test_a_newer_database_refuses_to_start_untouched(tmp_path):
    path = _from_a_newer_release(tmp_path)
    with pytest.raises(migrate.SchemaTooNew, match="schema revision 0099_from_the_future, which this mockserver "
                                                   "does not know.*newer release"):
        Runtime(hardening_settings(tmp_path))
    assert "fixtureaccount" not in table_names(path)  # nothing was created or migrated
    assert revision_of(path) == ["0099_from_the_future"]


def test_the_cli_says_in_one_line_why_it_will_not_start_and_exits_2(tmp_path):
    path = _from_a_newer_release(tmp_path)
    run = cli("serve", "--port", "0", db=path, timeout=60)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"mockserver: {path} is at schema revision 0099_from_the_future")
    assert cli("db", "upgrade", db=path).returncode == 2 and revision_of(path) == ["0099_from_the_future"]


def test_an_old_runner_version_beyond_5_is_refused_too(tmp_path):
    Runtime(hardening_settings(tmp_path)).db.close()
    path = tmp_path / "sandbox.db"
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE alembic_version")
        conn.execute("CREATE TABLE schemaversion (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schemaversion VALUES (1, 999)")
    run = cli("serve", "--port", "0", db=path, timeout=60)
    assert run.returncode == 2 and "has schema version 999" in run.stderr and "Traceback" not in run.stderr
    assert "alembic_version" not in table_names(path)


def test_db_commands_upgrade_show_and_list_revisions(tmp_path):
    build_old_database("f8248ed", tmp_path)  # schema version 3 of the old runner
    path = tmp_path / "sandbox.db"
    shown = cli("db", "current", db=path)
    assert shown.returncode == 0 and shown.stdout.startswith("schema version 3 of the old runner")
    upgraded = cli("db", "upgrade", db=path)
    assert upgraded.returncode == 0, upgraded.stderr
    later = [r for r in migrate.revisions() if r > "0003_api_key_hashes"]
    assert upgraded.stdout.splitlines() == [f"ran {r}" for r in later] and later[:2] == ["0004_webhook_delivery",
                                                                                       "0005_shared_state"]
    assert cli("db", "current", db=path).stdout == f"{migrate.head()} (head)\n"
    assert cli("db", "upgrade", db=path).stdout == f"already at {migrate.head()} (head)\n"
    other = tmp_path / "other.db"
    assert cli("db", "current", "--database-url", f"sqlite:///{other}", db=path).stdout.startswith("none")
    history = cli("db", "history", db=path).stdout.splitlines()
    assert [line.split(":")[0] for line in history] == [*migrate.revisions()[:-1], f"{migrate.head()} (head)"]
    assert migrate.revisions()[:7] == ["0001_baseline", "0002_fixture_ledger", "0003_api_key_hashes",
                                       "0004_webhook_delivery", "0005_shared_state", "0006_bin_rules",
                                       "0007_request_journal"]


def test_processes_starting_together_on_a_fresh_file_create_the_schema_once(tmp_path):
    path = tmp_path / "sandbox.db"
    runs = [subprocess.Popen([sys.executable, "-m", "mockserver", "db", "upgrade"], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={"PATH": "/usr/bin:/bin", "MOCKSERVER_DATABASE_URL": f"sqlite:///{path}"})
            for _ in range(3)]
    outs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0, 0], [e for _, e in outs]
    said = sorted(o.strip() for o, _ in outs)
    head = migrate.head()
    assert said == [f"already at {head} (head)"] * 2 + [f"created the schema at {head} (head)"]
    assert revision_of(path) == [migrate.head()]


def test_a_fresh_database_honours_a_frozen_clock_setting(tmp_path):
    runtime = Runtime(hardening_settings(tmp_path, clock_frozen=True))
    assert runtime.clock.frozen
    runtime.db.close()
