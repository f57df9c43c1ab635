"""The fault rules every process reads (table faultrule, models.FaultRuleRow) and their counters: rules go in
and out in order; `seen` and `hits` move by UPDATEs that hold the row, so `times` and `after` count across
processes. What a rule matches and does is core/faults.py's; this module only stores."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update

from mockserver.core.db.sql import Statement, run
from mockserver.core.models import FaultRuleRow, FaultSequence

_t = FaultRuleRow.__table__
_s = FaultSequence.__table__
_COLUMNS = (_t.c.id, _t.c.spec, _t.c.hits, _t.c.seen)

_ALL = Statement(select(*_COLUMNS).order_by(_t.c.position))
_ONE = Statement(select(*_COLUMNS).where(_t.c.id == bindparam("id")))
_NEXT = Statement(lambda d: d.insert(_s).values(id=1, n=1)
                  .on_conflict_do_update(index_elements=["id"], set_={"n": _s.c.n + 1}).returning(_s.c.n))
_RESTART = Statement(delete(_s))
_INSERT = Statement(_t.insert().values(
    id=bindparam("id"), position=bindparam("position"), spec=bindparam("spec"), provider=bindparam("provider"),
    account_id=bindparam("account_id"), times=bindparam("times"), after=bindparam("after"), hits=0, seen=0,
    fixture=bindparam("fixture")))
_DELETE = Statement(delete(_t).where(_t.c.id == bindparam("id")))
_CLEAR = Statement(delete(_t))
_CLEAR_PROVIDER = Statement(delete(_t).where(_t.c.provider == bindparam("provider")))
_CLEAR_ACCOUNT = Statement(delete(_t).where(_t.c.account_id == bindparam("account_id")))
_CLEAR_BOTH = Statement(delete(_t).where(_t.c.provider == bindparam("provider"),
                                         _t.c.account_id == bindparam("account_id")))
_FIXTURES = Statement(select(_t.c.id, _t.c.fixture).where(_t.c.fixture.is_not(None)).order_by(_t.c.position))
#: One occurrence (or n) counted, unless the rule is spent: the row is held until the transaction ends.
_SEE = Statement(update(_t).where(_t.c.id == bindparam("id"), or_(_t.c.times.is_(None), _t.c.hits < _t.c.times))
                 .values(seen=_t.c.seen + bindparam("n")).returning(_t.c.seen, _t.c.hits, _t.c.times, _t.c.after))
_HIT = Statement(update(_t).where(_t.c.id == bindparam("id")).values(hits=_t.c.hits + bindparam("n")))
_SEE_AND_HIT = Statement(update(_t).where(_t.c.id == bindparam("id"))
                         .values(seen=_t.c.seen + bindparam("n"), hits=_t.c.hits + bindparam("n")))


def all_rows(conn: sqlite3.Connection) -> list[tuple[str, str, int, int]]:
    """(id, spec JSON, hits, seen) of every rule, in the order they were added."""
    return [(r[0], r[1], r[2], r[3]) for r in run(conn, _ALL)]


def one(conn: sqlite3.Connection, rule_id: str) -> tuple[str, str, int, int] | None:
    row = run(conn, _ONE, {"id": rule_id}).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def next_number(conn: sqlite3.Connection) -> int:
    """The next rule number (flt_<n>), never one given before since the last full clear."""
    return int(run(conn, _NEXT).fetchone()[0])


def insert(conn: sqlite3.Connection, rule_id: str, position: int, spec: str, fields: dict[str, Any],
           fixture: str | None = None) -> None:
    run(conn, _INSERT, {"id": rule_id, "position": position, "spec": spec, "provider": fields.get("provider"),
                        "account_id": fields.get("account_id"), "times": fields.get("times"),
                        "after": fields.get("after") or 0, "fixture": fixture})


def delete_one(conn: sqlite3.Connection, rule_id: str) -> bool:
    return run(conn, _DELETE, {"id": rule_id}).rowcount > 0


def clear(conn: sqlite3.Connection, provider: str | None = None, account_id: str | None = None) -> None:
    """Every rule (and the numbering), one provider's, one account's, or one account's of one provider."""
    if provider is None and account_id is None:
        run(conn, _CLEAR)
        run(conn, _RESTART)
    elif account_id is None:
        run(conn, _CLEAR_PROVIDER, {"provider": provider})
    elif provider is None:
        run(conn, _CLEAR_ACCOUNT, {"account_id": account_id})
    else:
        run(conn, _CLEAR_BOTH, {"provider": provider, "account_id": account_id})


def fixtures(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(id, digest) of the rules loaded from fixtures/faults.toml, in order."""
    return [(r[0], r[1]) for r in run(conn, _FIXTURES)]


def see(conn: sqlite3.Connection, rule_id: str, n: int = 1) -> tuple[int, int, int | None, int] | None:
    """Count n matching occurrences of a rule not yet spent; (seen, hits, times, after) after the count,
    None if the rule is spent or gone. Inside a write transaction: the row stays held until it ends, so the
    hits the caller grants next (hit) cannot overrun `times` whichever process counts at the same time."""
    row = run(conn, _SEE, {"id": rule_id, "n": n}).fetchone()
    return None if row is None else (int(row[0]), int(row[1]), row[2], int(row[3]))


def hit(conn: sqlite3.Connection, rule_id: str, n: int = 1) -> None:
    if n:
        run(conn, _HIT, {"id": rule_id, "n": n})


def see_and_hit(conn: sqlite3.Connection, rule_id: str, n: int = 1) -> None:
    """n occurrences that all fire (a rule named in X-Mock-Fault, an uncounted delivery rule)."""
    if n:
        run(conn, _SEE_AND_HIT, {"id": rule_id, "n": n})
