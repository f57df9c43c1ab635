"""Shared test fixtures: a sandbox app on a fresh database (the default `client` on a frozen clock), and a
real local HTTP receiver.

Every test that builds its sandbox through `client_factory` / `settings_factory` / `client` (or asks for
`db_backend`) runs twice: `[sqlite]` on a fresh file and `[postgresql]` in a fresh schema of the database
at MOCKSERVER_TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test). Without a reachable
PostgreSQL the second half skips, with the reason; under CI=true it fails instead.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.core.db import migrate
from mockserver.settings import Settings
from tests.receivers import Receiver  # noqa: F401  (re-exported: `from tests.conftest import Receiver`)
from tests.wheel import Build, build_once


PG_URL = os.environ.get("MOCKSERVER_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
_current: dict[str, str | None] = {"url": None}  # the PostgreSQL URL of the running test's schema, if any
_pg_state: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): runs only as [sqlite] (the test is about the "
                                       "SQLite file itself); the reason says why")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("db_backend", ("sqlite",) if only else BACKENDS, indirect=True)


def _pg_admin():
    """One session-wide admin connection to PostgreSQL, or the reason there is none."""
    if "conn" not in _pg_state and "error" not in _pg_state:
        try:
            import psycopg

            _pg_state["conn"] = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
        except Exception as exc:  # noqa: BLE001  (any failure means: not reachable)
            why = " ".join(str(exc).split())  # one line in the skip summary
            _pg_state["error"] = f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}: {why})"
    if "error" in _pg_state:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{_pg_state['error']}; CI runs the suite on both backends", pytrace=False)
        pytest.skip(str(_pg_state["error"]))
    return _pg_state["conn"]


def pg_schema_url(schema: str) -> str:
    """The test database with `schema` first on the search path; commits skip the WAL flush (a test
    database need not survive a power cut, and each test's set-up commits dozens of times)."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


def _take_schema(admin) -> str:
    """A clean schema: an emptied one from an earlier test (creating the tables costs ~1 s, emptying
    them ~20 ms), else a new one whose tables the sandbox creates on start."""
    free = _pg_state.setdefault("free", [])
    if free:
        return free.pop()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    _pg_state.setdefault("made", []).append(schema)
    return schema


def _give_back(admin, schema: str) -> None:
    """Empty every table but the schema revision, restart the id sequences, and keep the schema for the
    next test (DELETE of a few rows is ~10x faster than TRUNCATE here). A test that changed the schema
    itself (a migration test) leaves it out of the pool."""
    tables = [r[0] for r in admin.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))]
    revision = admin.execute(f"SELECT version_num FROM {schema}.alembic_version").fetchone() \
        if "alembic_version" in tables else None
    if revision is None or revision[0] != migrate.head() or "schemaversion" in tables:
        return
    statements = [f"DELETE FROM {schema}.{t}" for t in tables if t != "alembic_version"]
    statements.append("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      f"WHERE c.relkind = 'S' AND n.nspname = '{schema}'")
    try:
        admin.execute("SET lock_timeout = '5s'")
        admin.execute("; ".join(statements))
    except Exception:  # noqa: BLE001  (a connection left open by the test holds a lock: leave this schema)
        return
    _pg_state["free"].append(schema)


def pytest_sessionfinish(session: pytest.Session) -> None:
    admin = _pg_state.get("conn")
    if admin is None:
        return
    from mockserver.core.db import postgres as pg

    pg.close_idle()
    for schema in _pg_state.get("made", []):
        try:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """"sqlite" or "postgresql"; on PostgreSQL the test gets a clean schema of its own."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield backend
        return
    admin = _pg_admin()
    schema = _take_schema(admin)
    _current["url"] = pg_schema_url(schema)
    try:
        yield backend
    finally:
        _current["url"] = None
        _give_back(admin, schema)


def database_url(tmp_path: Path, name: str = "sandbox.db") -> str:
    """The running test's database: its PostgreSQL schema under [postgresql], else a SQLite file."""
    return _current["url"] or f"sqlite:///{tmp_path}/{name}"


def make_settings(tmp_path: Path, **overrides) -> Settings:
    """Test settings: own database, seeded ids, no background loop (tests drive time themselves).
    A clock advance waits up to 10 s (not the default 1 s) for the webhooks it makes due: the local
    receivers answer in milliseconds, but on a loaded CI box a second can pass between two webhooks of
    one key, and a test reading its receiver right after the advance would see only the first."""
    values = dict(database_url=database_url(tmp_path), seed=1234, scheduler_enabled=False,
                  rate_limit_enabled=True, webhook_settle_wait=10.0)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings_factory(tmp_path: Path, db_backend: str) -> Callable[..., Settings]:
    return lambda **overrides: make_settings(tmp_path, **overrides)


class Sandboxes:
    """The one client builder of the tests: `start(settings)` is a started app (lifespan run) on those
    settings, answering server errors with a 500 as a real server does; every one is closed, newest
    first, when the test ends. Fixtures with their own settings (hardening, delivery, e2e) build on it."""

    def __init__(self) -> None:
        self._open: list[TestClient] = []

    def start(self, settings: Settings, **kwargs) -> TestClient:
        client = TestClient(create_app(settings), **{"raise_server_exceptions": False, **kwargs})
        client.__enter__()
        self._open.append(client)
        return client

    def close(self) -> None:
        while self._open:
            self._open.pop().__exit__(None, None, None)


@pytest.fixture
def sandboxes() -> Iterator[Sandboxes]:
    """Start sandboxes with explicit settings: `sandboxes.start(settings)`; all closed after the test."""
    opened = Sandboxes()
    yield opened
    opened.close()


@pytest.fixture
def client_factory(tmp_path: Path, db_backend: str, sandboxes: Sandboxes) -> Callable[..., TestClient]:
    """Build a started app (lifespan run) with settings overrides; closed after the test. The clock is
    frozen unless the test asks for clock_frozen=False."""

    def build(**overrides) -> TestClient:
        overrides.setdefault("clock_frozen", True)
        return sandboxes.start(make_settings(tmp_path, **overrides))

    return build


@pytest.fixture
def client(client_factory) -> TestClient:
    """The sandbox on a frozen clock: time moves only through /_mock/clock/advance (or set), so every
    boundary (schedules, windows, rate-limit refills, webhook backoff) is exact. The one way to freeze."""
    return client_factory()


def advance(client: TestClient, seconds: float) -> dict:
    """Move the sandbox clock; every transition and webhook then due runs before it answers."""
    resp = client.post("/_mock/clock/advance", json={"seconds": seconds})
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """The shared webhook receiver (tests/receivers.py), closed after the test."""
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`pip wheel .` of this checkout, once per run (tests/wheel.py); assert its returncode before reading it."""
    return build_once(tmp_path_factory)
