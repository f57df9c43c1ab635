"""PostgreSQL-only tests: each gets a fresh schema of its own (created here, dropped after), or skips
(fails under CI=true) without a reachable PostgreSQL, like the [postgresql] half of the suite."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from mockserver.core.db import postgres as pg

from tests.conftest import _pg_admin, pg_schema_url


@pytest.fixture
def pg_admin():
    """The session's admin connection (autocommit) to the test database."""
    return _pg_admin()


@pytest.fixture
def pg_url(pg_admin) -> Iterator[str]:
    """The URL of a new, empty schema (dropped after the test)."""
    schema = f"p_{uuid.uuid4().hex[:16]}"
    pg_admin.execute(f"CREATE SCHEMA {schema}")
    url = pg_schema_url(schema)
    try:
        yield url
    finally:
        pg.close_idle(url)
        pg_admin.execute(f"DROP SCHEMA {schema} CASCADE")


def schema_of(url: str) -> str:
    return url.split("search_path%3D", 1)[1].split("%20", 1)[0]
