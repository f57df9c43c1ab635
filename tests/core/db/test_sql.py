"""core/db/sql.py: statements written once with SQLAlchemy Core compile for both dialects, and no SQL text
is rewritten at run time anywhere in the store."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select

from mockserver.core.db.sql import Pair, Statement
from mockserver.core.models import BinRequest
import mockserver.core.store as store_pkg

PKG = Path(__file__).resolve().parents[3] / "mockserver"
STORE_MODULES = sorted(m.name for m in pkgutil.iter_modules(store_pkg.__path__))


def _statements():
    for name in STORE_MODULES:
        module = importlib.import_module(f"mockserver.core.store.{name}")
        for attr, value in vars(module).items():
            found = value if isinstance(value, (tuple, list)) else value.values() if isinstance(value, dict) else [value]
            for i, item in enumerate(found):
                if isinstance(item, (Statement, Pair)):
                    yield f"{name}.{attr}[{i}]", item


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_store_statement_compiles_for_both_dialects(dialect):
    found = list(_statements())
    assert found, "the store declares its statements at module level"
    for name, statement in found:
        if isinstance(statement, Pair) and getattr(statement, dialect) is None:  # one dialect's path only
            with pytest.raises(ValueError, match=f"no {dialect} text"):
                statement.sql(dialect)
            continue
        text = statement.sql(dialect)
        assert text.strip(), name
        if dialect == "postgresql":
            assert "?" not in text.replace("??", ""), name  # sqlite's placeholders never reach psycopg


def test_a_statement_compiles_once_per_dialect_with_its_constants():
    t = BinRequest.__table__
    stmt = Statement(select(t.c.id).where(t.c.bin == "fixed", t.c.id > bindparam("after")).limit(5))
    sqlite_text, sqlite_defaults = stmt.compiled("sqlite")
    pg_text, pg_defaults = stmt.compiled("postgresql")
    assert ":after" in sqlite_text and "%(after)s" in pg_text
    assert "fixed" in sqlite_defaults.values() and 5 in pg_defaults.values()
    assert stmt.compiled("sqlite")[0] is sqlite_text  # cached, not compiled again


def test_left_out_columns_get_their_scalar_model_default():
    t = BinRequest.__table__
    _, defaults = Statement(insert(t).values(bin=bindparam("bin"))).compiled("sqlite")
    assert defaults["body_encoding"] == "utf-8" and defaults["headers"] == "{}"


def test_no_module_that_holds_sql_uses_regular_expressions():
    """The store and the database layer never rewrite SQL text (issue: no run-time rewriting)."""
    offenders = []
    for path in sorted((PKG / "core" / "store").rglob("*.py")) + sorted((PKG / "core" / "db").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) else [])
            if any(n in ("re", "regex") for n in names):
                offenders.append(str(path.relative_to(PKG)))
    assert offenders == []


def test_dialect_functions_spell_each_dialect():
    from mockserver.core.db.functions import greatest, json_array_rows, least

    t = BinRequest.__table__

    def build(d):
        rows = json_array_rows(d, "nums")
        return select(least(t.c.id, bindparam("x")), greatest(t.c.id, 3), rows.c.value, rows.c.key).select_from(rows)

    stmt = Statement(build)
    assert "min(binrequest.id, :x)" in stmt.sql("sqlite") and "json_each(:nums)" in stmt.sql("sqlite")
    pg = stmt.sql("postgresql")
    assert "LEAST(binrequest.id, %(x)s)" in pg and "GREATEST(" in pg and "json_array_elements_text" in pg


def test_the_run_time_translator_is_gone():
    assert not (PKG / "core" / "db" / "pg_sql.py").exists() and not (PKG / "core" / "pg_sql.py").exists()


def test_a_constant_list_is_expanded_at_compile_time():
    t = BinRequest.__table__
    text, params = Statement(select(t.c.id).where(t.c.bin.not_in(("a", "b")))).compiled("postgresql")
    assert "POSTCOMPILE" not in text and sorted(params.values()) == ["a", "b"]
