"""Bad input to the control API answers 422 in FastAPI's HTTPValidationError shape (what its OpenAPI
declares) and changes nothing: found by fuzzing, each of these was a 500 or a mis-shaped body."""

from __future__ import annotations

import pytest

from tests.core.kit import install, send

TOO_BIG = 2**63  # one past SQLite's largest INTEGER


def assert_validation_error(resp, loc: list) -> None:
    assert resp.status_code == 422, resp.text
    detail = resp.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"] == loc and detail[0]["msg"]


@pytest.mark.parametrize("method,path,loc", [
    ("get", f"/_mock/messages/{TOO_BIG}", ["path", "message_id"]),
    ("get", f"/_mock/messages/{TOO_BIG}/recipients", ["path", "message_id"]),
    ("get", f"/_mock/messages/{TOO_BIG}/events", ["path", "message_id"]),
    ("get", f"/_mock/messages/{TOO_BIG}/webhooks", ["path", "message_id"]),
    ("get", "/_mock/messages/-5308504404400493419889098051551232", ["path", "message_id"]),
    ("get", f"/_mock/messages/1/recipients?cursor={TOO_BIG}", ["query", "cursor"]),
    ("get", f"/_mock/messages?after_id={TOO_BIG}", ["query", "after_id"]),
    ("get", f"/_mock/messages?cursor={TOO_BIG}", ["query", "cursor"]),
    ("get", "/_mock/messages?cursor=%C2%B2", ["query", "cursor"]),  # '²' is isdigit() but not int()
    ("get", f"/_mock/webhooks/{TOO_BIG}", ["path", "webhook_id"]),
    ("post", "/_mock/webhooks/10000000000000000001/redeliver", ["path", "webhook_id"]),
    ("get", "/_mock/webhooks?cursor=-56548413269603205120", ["query", "cursor"]),
    ("get", f"/_mock/webhooks?message_id={TOO_BIG}", ["query", "message_id"]),
])
def test_ids_beyond_sqlite_integer_are_422(client, method, path, loc):
    assert_validation_error(getattr(client, method)(path), loc)


def test_force_status_with_huge_ids_is_422_and_changes_nothing(client):
    install(client)
    msg = send(client, "+639170000001")
    before = client.get(f"/_mock/messages/{msg.id}").json()
    resp = client.post(f"/_mock/messages/{-2**70}/status", json={"status": "cancelled"})
    assert_validation_error(resp, ["path", "message_id"])
    resp = client.post(f"/_mock/messages/{msg.id}/status", json={"status": "delivered", "recipient_id": TOO_BIG})
    assert_validation_error(resp, ["body", "recipient_id"])
    assert client.get(f"/_mock/messages/{msg.id}").json() == before


@pytest.mark.parametrize("name", ["since", "until"])
def test_unparseable_time_filter_is_a_validation_error(client, name):
    for path in ("/_mock/messages", "/_mock/messages/latest", "/_mock/messages/wait"):
        resp = client.get(path, params={name: "null", "timeout": 0})
        assert resp.json() == {"detail": [{"type": "value_error", "loc": ["query", name], "input": "null",
                                           "msg": "expected epoch seconds or ISO-8601"}]}
        assert resp.status_code == 422


@pytest.mark.parametrize("iso", ["", "5\U000afde0C", "2026-13-01T00:00:00Z", "9999-12-31T23:59:59-14:00",
                                 "1969-12-31T23:59:59Z"])
def test_clock_set_refuses_bad_or_out_of_range_times_and_keeps_the_clock(client, iso):
    client.post("/_mock/clock/freeze")
    before = client.get("/_mock/clock").json()
    assert_validation_error(client.post("/_mock/clock/set", json={"iso": iso}), ["body", "iso"])
    assert client.get("/_mock/clock").json() == before


def test_clock_cannot_be_advanced_past_year_9000(client):
    client.post("/_mock/clock/set", json={"iso": "8995-06-01T00:00:00Z"})
    before = client.get("/_mock/clock").json()
    resp = client.post("/_mock/clock/advance", json={"seconds": 10 * 365 * 86400})
    assert_validation_error(resp, ["body", "seconds"])
    assert client.get("/_mock/clock").json()["now"] == pytest.approx(before["now"], abs=5)


def test_out_of_range_credits_are_422_and_create_nothing(client, testprov):
    resp = client.post("/_mock/accounts", json={"provider": "testprov", "id": "big", "credits": 10**23})
    assert_validation_error(resp, ["body", "credits"])
    assert client.get("/_mock/accounts/big").status_code == 404
    acc = client.post("/_mock/accounts", json={"provider": "testprov", "credits": 5}).json()
    resp = client.patch(f"/_mock/accounts/{acc['id']}", json={"add_credits": 2**63})
    assert_validation_error(resp, ["body", "add_credits"])
    assert client.get(f"/_mock/accounts/{acc['id']}").json()["credits"] == 5


def test_lone_surrogate_in_a_body_is_422_and_stores_nothing(client, testprov):
    raw = b'{"provider": "testprov", "id": "ghost", "name": "\\ud800"}'
    resp = client.post("/_mock/accounts", content=raw, headers={"content-type": "application/json"})
    assert_validation_error(resp, ["body"])
    assert client.get("/_mock/accounts/ghost").status_code == 404
    install(client)
    raw = b'{"provider": "testprov", "account_id": "acc-1", "from": "\\uDFFF", "to": "1", "body": "x"}'
    resp = client.post("/_mock/inbound", content=raw, headers={"content-type": "application/json"})
    assert_validation_error(resp, ["body"])
    assert client.get("/_mock/inbound").json() == []


BEYOND_INT4 = 2**40  # a valid id for the API, past PostgreSQL's INTEGER id columns


@pytest.mark.parametrize("path,status,body", [
    (f"/_mock/messages/{BEYOND_INT4}", 404, None),
    (f"/_mock/webhooks/{BEYOND_INT4}", 404, None),
    (f"/_mock/messages?before_id={BEYOND_INT4}", 200, "one"),
    (f"/_mock/messages?cursor={BEYOND_INT4}", 200, "one"),
    (f"/_mock/webhooks?cursor={BEYOND_INT4}", 200, "empty"),
    (f"/_mock/webhooks?message_id={BEYOND_INT4}", 200, "empty"),
])
def test_ids_past_a_32_bit_integer_find_nothing_instead_of_failing(client, path, status, body):
    """On PostgreSQL too: such an id is compared, never cast to the column's INTEGER (which would raise)."""
    install(client)
    msg = send(client, "+639170000001")
    resp = client.get(path)
    assert resp.status_code == status, resp.text
    if body == "one":
        assert [m["id"] for m in resp.json()["items"]] == [msg.id]
    elif body == "empty":
        assert resp.json()["items"] == []
