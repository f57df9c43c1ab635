"""GET /_mock/requests: every provider request, accepted or refused, with its answer; secrets masked."""

from __future__ import annotations

import time

import pytest

from tests.providers.cast import kit

WRONG_KEY = "cast_" + "0" * 60 + "9f3e"
BODY = {"to": "09171234567", "message": "hello journal", "sender_id": "CAST"}


def requests(client, **params) -> list[dict]:
    resp = client.get("/_mock/requests", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def test_wrong_key_send_is_journaled_as_401_and_the_key_never_shown(client):
    resp = client.post(f"{kit.V1}/sms/send", headers={"X-API-Key": WRONG_KEY}, json=BODY)
    assert resp.status_code == 401
    listed = client.get("/_mock/requests", params={"status": "401"})
    assert WRONG_KEY not in listed.text
    [entry] = listed.json()["items"]
    assert (entry["provider"], entry["method"], entry["path"]) == ("cast", "POST", "/cast/api/v1/sms/send")
    assert entry["status"] == entry["response"]["status"] == 401
    assert entry["headers"]["x-api-key"] == "cast…9f3e"
    assert entry["json"] == BODY
    assert entry["response"]["json"] == resp.json()
    assert entry["account_id"] is None and entry["message_ids"] == []
    one = client.get(f"/_mock/requests/{entry['id']}")
    assert one.status_code == 200 and WRONG_KEY not in one.text
    assert one.json()["curl"].startswith("curl -X POST http://testserver/cast/api/v1/sms/send ")
    assert "-H 'x-api-key: cast…9f3e'" in one.json()["curl"]


def test_accepted_send_names_its_account_and_message(client):
    resp = kit.send(client, BODY)
    assert resp.status_code == 200, resp.text
    [message] = client.get("/_mock/messages", params={"provider": "cast"}).json()["items"]
    [entry] = requests(client, provider="cast", status="2xx")
    assert entry["message_ids"] == [message["id"]]
    assert entry["account_id"] == message["account_id"]
    assert entry["response"]["json"] == resp.json()
    assert entry["latency_ms"] > 0
    assert requests(client, message=message["id"]) == [entry]
    assert requests(client, account=message["account_id"]) == [entry]
    assert requests(client, message=message["id"] + 1) == []


def test_refusals_before_any_route_are_journaled(client_factory):
    """The body limit answers in middleware, an unknown path in the 404 handler, validation in its own."""
    client = client_factory(provider_settings={"cast": {"max_body_bytes": 1024}})
    big = client.post(f"{kit.V1}/sms/send", headers={**kit.h(), "Content-Type": "application/json"},
                      content=b"{" + b" " * 5000 + b"}")
    unknown = client.get("/cast/api/v1/no/such/path", headers=kit.h())
    invalid = client.post(f"{kit.V1}/sms/send", headers=kit.h(), json={"to": "x"})
    assert (big.status_code, unknown.status_code) == (413, 404) and 400 <= invalid.status_code < 500
    entries = requests(client, status="errors")
    assert [e["status"] for e in entries] == [invalid.status_code, 404, 413]  # newest first
    assert [e["response"]["json"] for e in entries] == [invalid.json(), unknown.json(), big.json()]
    assert entries[1]["path"] == "/cast/api/v1/no/such/path"
    assert entries[0]["json"] == {"to": "x"}


def test_filters_paging_and_bad_status(client):
    for _ in range(3):
        client.get(f"{kit.V1}/account/balance", headers=kit.h())
    client.get(f"{kit.V1}/account/balance", headers=kit.h(WRONG_KEY))
    assert [e["status"] for e in requests(client, status="4xx")] == [401]
    assert len(requests(client, path="/account/balance")) == 4
    assert requests(client, provider="smscpr") == []
    first = client.get("/_mock/requests", params={"limit": 2}).json()
    second = client.get("/_mock/requests", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    bad = client.get("/_mock/requests", params={"status": "4x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "status"]
    assert client.get("/_mock/requests/999999").status_code == 404


def test_bounded_oldest_pruned(client_factory):
    client = client_factory(request_journal_limit=3)
    for n in range(5):
        client.get(f"{kit.V1}/account/balance?n={n}", headers=kit.h())
        if n == 1:
            requests(client)  # two stored, three more to come: the store prunes, not only the queue
    assert [e["query"] for e in requests(client)] == ["n=4", "n=3", "n=2"]


def test_switched_off_records_nothing(client_factory):
    client = client_factory(request_journal=False)
    client.get(f"{kit.V1}/account/balance", headers=kit.h(WRONG_KEY))
    assert requests(client) == []


def test_reset_and_delete_forget_the_journal(client):
    client.get(f"{kit.V1}/account/balance", headers=kit.h())
    assert client.post("/_mock/reset").status_code == 200
    assert requests(client) == []
    client.get(f"{kit.V1}/account/balance", headers=kit.h())
    assert client.delete("/_mock/requests").json() == {"removed": 1}
    assert requests(client) == []


@pytest.mark.parametrize("header", ["Authorization", "Cookie"])
def test_other_secret_bearers_are_masked(client, header):
    secret = "s3cr3t-value-abcdef-1234"
    value = f"Bearer {secret}" if header == "Authorization" else f"session={secret}"
    client.get(f"/cast/api/v1/account/balance?api_key={secret}", headers={header: value})
    listed = client.get("/_mock/requests")
    assert secret not in listed.text
    [entry] = listed.json()["items"]
    assert entry["query"] == "api_key=s3cr…1234"


def test_rate_limit_and_fault_refusals_are_journaled(client):
    for _ in range(51):
        last = client.get(f"{kit.V1}/account/balance", headers=kit.h())
    assert last.status_code == 429
    rule = client.post("/_mock/faults", json={"provider": "cast", "error": "SERVICE_UNAVAILABLE", "name": "down",
                                              "on_demand": True})
    assert rule.status_code == 201, rule.text
    faulted = client.post(f"{kit.V1}/sms/send", headers=kit.h(**{"X-Mock-Fault": "down"}), json=BODY)
    [newest, limited] = requests(client, status="errors")[:2]
    assert (limited["status"], limited["response"]["headers"].get("retry-after")) == (429, "60")
    assert faulted.status_code == 503 and newest["status"] == 503 and newest["response"]["json"] == faulted.json()
    assert len(requests(client, status="2xx")) == 50


def test_a_second_replica_on_the_same_database_sees_the_journal(client_factory):
    """On PostgreSQL (and a shared SQLite file) every replica writes to and reads one journal."""
    first, second = client_factory(shared_state="on"), client_factory(shared_state="on")
    first.get(f"{kit.V1}/account/balance", headers=kit.h(WRONG_KEY))
    deadline = time.monotonic() + 20  # the first replica writes its batch within ~0.2 s
    while not (seen := requests(second, status="401")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(e["provider"], e["path"]) for e in seen] == [("cast", "/cast/api/v1/account/balance")]
