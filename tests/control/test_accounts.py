"""/_mock/accounts: create with credentials, read, patch credits / callback URLs / extra, delete."""

from __future__ import annotations

from dataclasses import replace

from mockserver.providers import PROVIDERS


def test_create_account_returns_its_credentials(client, testprov):
    resp = client.post("/_mock/accounts", json={"provider": "testprov", "credits": 50, "extra": {"tier": "gold"}})
    assert resp.status_code == 201
    body = resp.json()
    assert body["id"].startswith("testprov-") and body["credits"] == 50 and body["extra"] == {"tier": "gold"}
    assert body["credentials"]["api_key"].startswith("test_")
    assert [k["key"] for k in body["keys"]] == [body["credentials"]["api_key"]]
    assert client.get(f"/_mock/accounts/{body['id']}").json()["keys"] == body["keys"]
    listed = client.get("/_mock/accounts", params={"provider": "testprov"}).json()
    assert [a["id"] for a in listed] == [body["id"]]


def test_create_account_refusals(client, testprov, monkeypatch):
    assert client.post("/_mock/accounts", json={"provider": "nope"}).status_code == 404
    assert client.post("/_mock/accounts", json={"provider": "testprov", "id": "fixed"}).status_code == 201
    again = client.post("/_mock/accounts", json={"provider": "testprov", "id": "fixed"})
    assert again.status_code == 409
    monkeypatch.setitem(PROVIDERS, "testprov", replace(testprov, make_credentials=None))
    resp = client.post("/_mock/accounts", json={"provider": "testprov"})
    assert resp.status_code == 501 and "cannot create credentials" in resp.json()["detail"]
    assert client.post("/_mock/accounts", json={}).status_code == 422


def test_patch_credits_urls_and_extra(client, testprov, receiver):
    acc = client.post("/_mock/accounts", json={"provider": "testprov", "credits": 10, "extra": {"a": 1, "b": 2}}).json()
    url = f"/_mock/accounts/{acc['id']}"
    body = client.patch(url, json={"credits": 500, "dlr_url": receiver.url("/dlr"), "extra": {"b": None, "c": 3}}).json()
    assert (body["credits"], body["dlr_url"], body["mo_url"], body["extra"]) == (500, receiver.url("/dlr"), None, {"a": 1, "c": 3})
    assert client.patch(url, json={"add_credits": -600}).json()["credits"] == -100
    assert client.patch(url, json={"add_credits": 100}).json()["credits"] == 0
    assert client.patch(url, json={"dlr_url": None}).json()["dlr_url"] is None
    assert client.patch(url, json={"name": "renamed"}).json()["dlr_url"] is None
    assert client.patch("/_mock/accounts/missing", json={"credits": 1}).status_code == 404


def test_callback_url_is_refused_unless_the_probe_gets_2xx(client, testprov, receiver):
    acc = client.post("/_mock/accounts", json={"provider": "testprov"}).json()
    url = f"/_mock/accounts/{acc['id']}"
    receiver.script = [500]
    resp = client.patch(url, json={"mo_url": receiver.url("/check")})
    assert resp.status_code == 400
    assert resp.json()["detail"] == f"callback URL check failed: {receiver.url('/check')} answered HTTP 500; expected 2xx"
    assert client.get(url).json()["mo_url"] is None
    ok = client.patch(url, json={"mo_url": receiver.url("/check")})
    assert ok.status_code == 200 and ok.json()["mo_url"] == receiver.url("/check")
    assert receiver.bodies("/check") == [{}, {}]
    created = client.post("/_mock/accounts", json={"provider": "testprov", "dlr_url": "http://127.0.0.1:9/check"})
    assert created.status_code == 400
    assert len(client.get("/_mock/accounts", params={"provider": "testprov"}).json()) == 1


def test_delete_account_removes_it_and_its_messages(client, testprov):
    from tests.core.kit import TestShaper, send
    acc = client.post("/_mock/accounts", json={"provider": "testprov"}).json()
    client.app.state.runtime.register_shaper("testprov", TestShaper())
    msg = send(client, "+639170000001", account_id=acc["id"])
    assert client.delete(f"/_mock/accounts/{acc['id']}").status_code == 204
    assert client.get(f"/_mock/accounts/{acc['id']}").status_code == 404
    assert client.get(f"/_mock/messages/{msg.id}").status_code == 404
