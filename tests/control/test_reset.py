"""Reset isolates: everything, one provider, or one account, without a restart."""

from __future__ import annotations

from mockserver.core.models import Account
from mockserver.core.store import accounts
from tests.core.kit import install, runtime_of, send


def test_reset_one_account_keeps_the_others(client, testprov):
    install(client)
    rt = runtime_of(client)
    with rt.db.write() as conn:
        accounts.create(conn, Account(id="acc-2", provider="testprov", credits=5))
    mine = send(client, "+639170000001")
    other = send(client, "+639170000002", account_id="acc-2")
    resp = client.post("/_mock/reset", json={"account_id": "acc-1"})
    assert resp.status_code == 200
    assert client.get(f"/_mock/messages/{mine.id}").status_code == 404
    assert client.get(f"/_mock/messages/{other.id}").status_code == 200
    assert [a["id"] for a in client.get("/_mock/accounts", params={"provider": "testprov"}).json()] == ["acc-2"]


def test_reset_one_provider_keeps_fixture_accounts_of_others(client, testprov):
    before = {a["id"] for a in client.get("/_mock/accounts").json()}
    install(client)
    send(client, "+639170000001")
    assert client.post("/_mock/reset", json={"provider": "testprov"}).status_code == 200
    assert client.get("/_mock/messages").json()["items"] == []
    assert {a["id"] for a in client.get("/_mock/accounts").json()} == before


def test_reset_everything_restores_fixtures_and_clock(client):
    install(client)
    send(client, "+639170000001")
    fixtures = client.get("/_mock/accounts").json()
    client.post("/_mock/clock/advance", json={"seconds": 86400})
    assert client.post("/_mock/reset").status_code == 200
    assert client.get("/_mock/messages").json()["items"] == []
    assert [a["id"] for a in client.get("/_mock/accounts").json()] == [a["id"] for a in fixtures if a["id"] != "acc-1"]
    assert abs(client.get("/_mock/clock").json()["now"] - __import__("time").time()) < 60
    assert client.post("/_mock/reset", json={"provider": "nope"}).status_code == 404
