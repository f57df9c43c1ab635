"""Fixtures load idempotently: a restart on the same database keeps balances and adds no duplicates."""

from __future__ import annotations

from pathlib import Path

from mockserver.core.runtime import Runtime
from mockserver.core.store import accounts, catalog
from tests.conftest import make_settings


def _snapshot(rt: Runtime) -> tuple:
    conn = rt.db.conn()
    counts = tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("account", "apikey", "sender", "template", "contactgroup"))
    return counts


def test_second_start_adds_nothing_and_keeps_spent_credits(tmp_path: Path):
    first = Runtime(make_settings(tmp_path))
    before = _snapshot(first)
    assert before[0] > 0 and before[1] > 0  # the bundled fixtures are there
    with first.db.write() as conn:
        assert accounts.charge(conn, "cast-demo", 5)
    balance = accounts.balance(first.db.conn(), "cast-demo")
    first.db.close()

    second = Runtime(make_settings(tmp_path))
    assert _snapshot(second) == before
    assert accounts.balance(second.db.conn(), "cast-demo") == balance
    second.db.close()


def test_reset_of_one_account_restores_its_fixture_state(tmp_path: Path):
    rt = Runtime(make_settings(tmp_path))
    original = accounts.balance(rt.db.conn(), "cast-demo")
    with rt.db.write() as conn:
        accounts.charge(conn, "cast-demo", 7)
    rt.reset(account_id="cast-demo")
    assert accounts.balance(rt.db.conn(), "cast-demo") == original
    assert [s.name for s in catalog.senders_of(rt.db.conn(), "cast-demo")] == ["CAST", "MYAPP"]
    rt.db.close()


def test_magic_numbers_come_from_the_fixture_file(tmp_path: Path):
    rt = Runtime(make_settings(tmp_path))
    assert rt.rules.outcome_for("+639170999001") == "failed"
    assert rt.rules.outcome_for("0812999007") == "stuck"
    assert rt.rules.outcome_for("09171234567") == "delivered"
    rt.db.close()
