"""core/store: accounts, keys, credits, the read cache, the catalog and the fixture ledger, on both backends
(their statements are compiled per dialect by core/db/sql.py: each test runs as [sqlite] and [postgresql])."""

from __future__ import annotations

from typing import Iterator

import pytest

from mockserver.core.db.connect import open_database
from mockserver.core.models import Account, ApiKey, Idempotency, Sender, Template
from mockserver.core.store import accounts, admin, cache, catalog, fixture_ledger, idempotency
from tests.conftest import make_settings


@pytest.fixture
def db(tmp_path, db_backend) -> Iterator:
    database = open_database(make_settings(tmp_path))
    yield database
    database.close()


def _account(db, account_id: str, provider: str = "cast", credits: int = 100, **fields) -> Account:
    with db.write() as conn:
        return accounts.create(conn, Account(id=account_id, provider=provider, credits=credits, **fields))


def _key(db, account_id: str, key: str, provider: str = "cast") -> ApiKey:
    with db.write() as conn:
        return accounts.add_key(conn, ApiKey(provider=provider, key=key, account_id=account_id))


def test_credits_are_taken_only_when_covered_and_come_back_on_refund(db):
    _account(db, "a1", credits=10)
    with db.write() as conn:
        assert accounts.charge(conn, "a1", 7) is True
        assert accounts.charge(conn, "a1", 4) is False  # 3 left: nothing taken
        assert accounts.balance(conn, "a1") == 3
        assert accounts.charge(conn, "a1", 3_000_000_000) is False  # beyond INTEGER: refused, not an error
        assert accounts.charge(conn, "a1", 5, allow_negative=True) is True
        assert accounts.balance(conn, "a1") == -2
        accounts.refund(conn, "a1", 12)
        assert accounts.balance(conn, "a1") == 10
        assert accounts.charge(conn, "nobody", 1) is False
    assert accounts.balance(db.conn(), "nobody") == 0


def test_accounts_list_by_provider_in_creation_order(db):
    _account(db, "b", created_at=2.0)
    _account(db, "a", created_at=2.0)
    _account(db, "c", created_at=1.0)
    _account(db, "z", provider="mesms", created_at=0.0)
    conn = db.conn()
    assert [a.id for a in accounts.list_all(conn, "cast")] == ["c", "a", "b"]
    assert [(a.provider, a.id) for a in accounts.list_all(conn)] == [("cast", "c"), ("cast", "a"), ("cast", "b"),
                                                                     ("mesms", "z")]
    got = accounts.get(conn, "a")
    assert (got.credits, got.is_active, got.extra) == (100, True, "{}")  # flags 0/1 read back as the model's


def test_a_key_is_found_by_its_exact_string_and_provider_only(db):
    _account(db, "a1")
    added = _key(db, "a1", "secret-key-1")
    assert _key(db, "a1", "secret-key-1").id is None  # already there: not added twice
    conn = db.conn()
    found = accounts.find_key(conn, "cast", "secret-key-1")
    assert (found.id, found.account_id) == (added.id, "a1")
    assert accounts.find_key(conn, "cast", "secret-key-2") is None
    assert accounts.find_key(conn, "mesms", "secret-key-1") is None
    assert [k.key for k in accounts.keys_of(conn, "a1")] == ["secret-key-1"]


def test_deleting_accounts_takes_what_they_own_and_their_keys_replays(db):
    for name in ("gone1", "gone2", "kept"):
        _account(db, name)
        _key(db, name, f"key-{name}")
    with db.write() as conn:
        catalog.add_sender(conn, Sender(provider="cast", account_id="gone1", name="GONE"))
        catalog.add_sender(conn, Sender(provider="cast", account_id="kept", name="KEPT"))
        for owner in ("key-gone2", "key-kept"):
            idempotency.save(conn, Idempotency(provider="cast", key_owner=owner, idem_key="i1", created_at=1.0))
        accounts.delete(conn, ["gone1", "gone2"])
    conn = db.conn()
    assert [a.id for a in accounts.list_all(conn)] == ["kept"]
    assert accounts.find_key(conn, "cast", "key-gone1") is None
    assert [s.name for s in catalog.senders_of(conn, "gone1")] == []
    assert [s.name for s in catalog.senders_of(conn, "kept")] == ["KEPT"]
    assert idempotency.find(conn, "cast", "key-gone2", "i1", 0.0) is None
    assert idempotency.find(conn, "cast", "key-kept", "i1", 0.0) is not None


def test_an_account_is_found_by_an_item_of_an_array_in_its_extra(db):
    _account(db, "late", created_at=5.0, extra='{"plans": ["p1", "p2"]}')
    _account(db, "early", created_at=1.0, extra='{"plans": ["p2"]}')
    _account(db, "other", provider="mesms", extra='{"plans": ["p3"]}')
    conn = db.conn()
    assert accounts.find_by_extra_item(conn, "cast", "plans", "p1").id == "late"
    assert accounts.find_by_extra_item(conn, "cast", "plans", "p2").id == "early"  # oldest first
    assert accounts.find_by_extra_item(conn, "cast", "plans", "p3") is None  # another provider's
    assert accounts.find_by_extra_item(conn, "cast", "nothing", "p1") is None


def test_the_read_cache_sees_a_revoked_key_and_a_renamed_account_at_once(db):
    _account(db, "a1", name="old")
    _key(db, "a1", "k1")
    assert cache.find_key(db, "cast", "k1").status == "active"
    assert cache.account(db, "a1").name == "old"
    before = cache.version(db.conn())
    with db.write() as conn:
        accounts.charge(conn, "a1", 1)  # credits alone do not invalidate
    assert cache.version(db.conn()) == before
    with db.write() as conn:
        fixture_ledger.update_key(conn, "cast", "k1", {"status": "revoked"})
        accounts.set_fields(conn, "a1", name="new")
    assert cache.version(db.conn()) > before
    assert cache.find_key(db, "cast", "k1").status == "revoked"
    assert cache.account(db, "a1").name == "new"


def test_senders_filter_by_status_and_reviews_come_due(db):
    _account(db, "a1")
    with db.write() as conn:
        catalog.add_sender(conn, Sender(provider="cast", account_id="a1", name="ONE"))
        catalog.add_sender(conn, Sender(provider="cast", account_id="a1", name="TWO", status="pending", review_at=10.0))
        tpl = catalog.add_template(conn, Template(public_id="t1", provider="cast", account_id="a1", status="pending",
                                                  review_at=20.0))
    conn = db.conn()
    assert [s.name for s in catalog.senders_of(conn, "a1")] == ["ONE", "TWO"]
    assert [s.name for s in cache.senders(db, "a1", "pending")] == ["TWO"]
    assert catalog.sender_by_name(conn, "a1", "TWO").status == "pending"
    assert [r["name"] for r in catalog.due_reviews(conn, "sender", 10.0)] == ["TWO"]
    assert catalog.due_reviews(conn, "template", 19.9) == []
    assert [r["public_id"] for r in catalog.due_reviews(conn, "template", 20.0)] == ["t1"]
    with db.write() as conn:
        assert catalog.delete_template(conn, tpl.id) == 1
        assert catalog.delete_template(conn, tpl.id) == 0
    assert catalog.template(db.conn(), "a1", "t1") is None


def test_the_fixture_ledger_records_digests_and_retires_keys_no_longer_listed(db):
    _account(db, "f1")
    for key in ("k1", "k2", "k3"):
        _key(db, "f1", key)
    with db.write() as conn:
        fixture_ledger.record(conn, "f1", "cast", "d1")
        fixture_ledger.record(conn, "f1", "cast", "d2")  # an update, not a second row
        fixture_ledger.record(conn, "m1", "mesms", "d3")
        fixture_ledger.retire_keys(conn, "f1", ["k2"])
    conn = db.conn()
    assert fixture_ledger.digests(conn) == {"f1": "d2", "m1": "d3"}
    assert fixture_ledger.digests(conn, "mesms") == {"m1": "d3"}
    assert {k.key: k.status for k in accounts.keys_of(conn, "f1")} == {"k1": "revoked", "k2": "active",
                                                                       "k3": "revoked"}
    with db.write() as conn:
        fixture_ledger.retire_keys(conn, "f1", [])
        fixture_ledger.forget(conn, "m1")
    assert {k.status for k in accounts.keys_of(db.conn(), "f1")} == {"revoked"}
    assert fixture_ledger.digests(db.conn()) == {"f1": "d2"}


def test_wiping_one_provider_leaves_the_others_and_a_full_wipe_numbers_from_one(db):
    _account(db, "c1")
    _account(db, "m1", provider="mesms")
    _key(db, "c1", "kc")
    _key(db, "m1", "km")
    with db.write() as conn:
        idempotency.save(conn, Idempotency(provider="cast", key_owner="x", idem_key="i", created_at=1.0))
        admin.wipe(conn, "cast")
    conn = db.conn()
    assert [a.id for a in accounts.list_all(conn)] == ["m1"]
    assert idempotency.find(conn, "cast", "x", "i", 0.0) is None
    with db.write() as conn:
        admin.wipe(conn)
    assert accounts.list_all(db.conn()) == []
    _account(db, "again")
    assert _key(db, "again", "k-again").id == 1
