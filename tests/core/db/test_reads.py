"""core/db/reads.py: a provider request reads the read cache's counter once, not before every lookup,
and still sees a change made by another request (or by itself) at once."""

from __future__ import annotations

import threading

import pytest

from mockserver.core.db import reads
from mockserver.core.store import cache
from tests.providers.cast.kit import V1, h


def test_a_scope_reads_each_key_once_until_it_writes():
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    assert (reads.remembered("k", read), reads.remembered("k", read)) == (1, 2)  # no scope: every time
    with reads.request_scope():
        assert [reads.remembered("k", read) for _ in range(3)] == [3, 3, 3]
        reads.forget()
        assert reads.remembered("k", read) == 4
        seen_in_thread = []
        worker = threading.Thread(target=lambda: seen_in_thread.append(reads.remembered("k", read)))
        worker.start()
        worker.join()
        assert seen_in_thread == [5]  # a plain thread has no scope: it reads
    with reads.request_scope():
        assert reads.remembered("k", read) == 6  # a new request reads again
        with reads.unversioned_write():
            reads.forget()  # what Database.write does
        assert reads.remembered("k", read) == 6  # a write to no versioned table keeps what was read


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Reads of the cache counter: alone ("alone"), or beside the shared clock's version ("with clock",
    what a replica's ClockSync reads once per request, priming the request's scope with it)."""
    calls: list[str] = []
    real_version, real_prime = cache.version, reads.prime

    def version(conn):
        calls.append("alone")
        return real_version(conn)

    def prime(key, value):
        if isinstance(key, cache.ReadCache):
            calls.append("with clock")
        return real_prime(key, value)

    monkeypatch.setattr(cache, "version", version)
    monkeypatch.setattr(reads, "prime", prime)
    return calls


def test_a_cast_send_checks_the_cache_counter_once(client, counted):
    body = {"to": "09171234567", "message": "hello", "sender_id": "MYAPP"}
    assert client.post(f"{V1}/sms/send", headers=h(), json=body).status_code == 200  # warm: the install
    counted.clear()
    resp = client.post(f"{V1}/sms/send", headers=h(), json=body)
    assert resp.status_code == 200, resp.text
    # The fault gate's rules, then key, account, senders, opt-outs: five lookups, one read of the counter
    # (on PostgreSQL too, where each request also writes its shared rate-limit buckets: no cached table).
    # With the clock shared between replicas (PostgreSQL), that read is the clock check's own statement.
    shared = client.app.state.runtime.replicas.enabled
    assert counted == (["with clock"] if shared else ["alone"])


def test_an_account_deactivated_between_two_requests_is_refused_on_the_next(client):
    body = {"to": "09171234567", "message": "hello"}
    account = client.post("/_mock/accounts", json={"provider": "cast", "credits": 10}).json()
    key = account["credentials"]["api_key"]
    assert client.post(f"{V1}/sms/send", headers=h(key), json=body).status_code == 200
    resp = client.patch(f"/_mock/accounts/{account['id']}", json={"is_active": False})
    assert resp.status_code == 200, resp.text
    refused = client.post(f"{V1}/sms/send", headers=h(key), json=body)
    assert (refused.status_code, refused.json()["error"]) == (403, "user account is inactive")
