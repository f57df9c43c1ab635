"""Upgrades keep data: a database built by an earlier commit's code (run in a subprocess from a
`git archive` of that commit) opens with HEAD and keeps its messages, accounts and clock; a database
from a newer release refuses to start, untouched."""

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
from mockserver.core.db import migrations
from tests.hardening.kit import ROOT, hardening_settings

pytestmark = pytest.mark.sqlite_only("earlier releases wrote SQLite files (PostgreSQL: tests/postgres/test_migrations.py)")

#: 11d8de5: before the clock was persisted; eff581a: clock persisted, no boot counter; 45cb85d: main
#: when versioning came (schema version 1).
OLD_COMMITS = ["11d8de5", "eff581a", "45cb85d"]

BUILD = r'''
import json, sys, tomllib
from fastapi.testclient import TestClient
from mockserver.app import create_app
from mockserver.settings import Settings

db, fixtures = sys.argv[1], sys.argv[2]
key = tomllib.load(open(f"{fixtures}/mesms.toml", "rb"))["accounts"][0]["keys"][0]["key"]
settings = Settings(database_url=f"sqlite:///{db}", seed=7, scheduler_enabled=False, rate_limit_enabled=False)
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


def build_old_database(commit: str, tmp_path: Path) -> dict:
    src = old_source(commit, tmp_path)
    db = tmp_path / "sandbox.db"
    run = subprocess.run([sys.executable, "-c", BUILD, str(db), str(src / "fixtures")], cwd=src,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    return json.loads(run.stdout.decode().strip().splitlines()[-1])


@pytest.mark.parametrize("commit", OLD_COMMITS)
def test_a_database_from_an_earlier_commit_keeps_messages_accounts_and_clock(tmp_path, commit):
    old = build_old_database(commit, tmp_path)
    app = create_app(hardening_settings(tmp_path, clock_frozen=False, seed=7))
    with TestClient(app) as c:
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
    with sqlite3.connect(tmp_path / "sandbox.db") as conn:
        assert migrations.stored_version(conn) == migrations.LATEST


def test_a_fresh_database_is_at_the_latest_version(tmp_path):
    runtime = Runtime(hardening_settings(tmp_path))
    assert migrations.stored_version(runtime.db.conn()) == migrations.LATEST
    runtime.db.close()


def test_a_newer_database_refuses_to_start_untouched(tmp_path):
    Runtime(hardening_settings(tmp_path)).db.close()
    path = tmp_path / "sandbox.db"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schemaversion SET version = ?", (migrations.LATEST + 5,))
        conn.execute("DROP TABLE fixtureaccount")
    with pytest.raises(migrations.SchemaTooNew, match=f"schema version {migrations.LATEST + 5}.*newer release"):
        Runtime(hardening_settings(tmp_path))
    with sqlite3.connect(path) as conn:
        assert "fixtureaccount" not in migrations.tables(conn)  # nothing was created or migrated


def test_the_cli_says_why_it_will_not_start(tmp_path):
    Runtime(hardening_settings(tmp_path)).db.close()
    with sqlite3.connect(tmp_path / "sandbox.db") as conn:
        conn.execute("UPDATE schemaversion SET version = 999")
    run = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "1"], cwd=ROOT, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/sandbox.db"},
                         capture_output=True)
    assert run.returncode != 0
    assert b"schema version 999" in run.stderr and b"Traceback" not in run.stderr


def test_migration_steps_are_idempotent(tmp_path):
    runtime = Runtime(hardening_settings(tmp_path))
    with runtime.db.write() as conn:
        assert migrations.upgrade(conn, None) == [m.version for m in migrations.MIGRATIONS]
        assert migrations.upgrade(conn, migrations.LATEST) == []
    runtime.db.close()


def test_a_fresh_database_honours_a_frozen_clock_setting(tmp_path):
    runtime = Runtime(hardening_settings(tmp_path, clock_frozen=True))
    assert runtime.clock.frozen
    runtime.db.close()
