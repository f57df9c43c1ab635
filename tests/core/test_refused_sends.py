"""core/sending.py: a send the balance does not cover writes nothing, whether it takes its credits last (a
small send, so the account's row is locked only at the end of its transaction) or first (a big one, refused
before its rows are written); both backends."""

from __future__ import annotations

import pytest

from mockserver.core.sending import CHARGE_LAST_LIMIT, InsufficientCredits
from tests.core import kit

TABLES = ("message", "recipient", "event", "messagecount", "feedevent")


def counts(client) -> dict[str, int]:
    conn = kit.runtime_of(client).db.conn()
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.mark.parametrize("numbers", [1, 3, CHARGE_LAST_LIMIT, CHARGE_LAST_LIMIT + 1])
def test_a_send_the_balance_does_not_cover_leaves_no_row_and_no_charge(client, numbers):
    kit.install(client, credits=numbers)  # one goes to the first send: numbers - 1 left
    kit.send(client, "0917000000")  # the tables in use, so a count is a count of rows (not of a missing table)
    before, balance = counts(client), kit.balance(client)
    with pytest.raises(InsufficientCredits) as refused:
        kit.send(client, [f"09{i:09d}" for i in range(numbers)])
    assert (refused.value.need, refused.value.have) == (numbers, balance)
    assert counts(client) == before
    assert kit.balance(client) == balance


def test_a_covered_send_takes_exactly_its_credits(client):
    kit.install(client, credits=10)
    msg = kit.send(client, ["0917000001", "0917000002", "0917000003"])
    assert (msg.credits, kit.balance(client)) == (3, 7)
