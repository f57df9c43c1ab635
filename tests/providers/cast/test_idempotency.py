"""X-Idempotency-Key (<= 255 chars): a repeat within 24 h (sandbox clock) replays the first successful
response with X-Idempotent-Replay: true and sends nothing; keys are per API key."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, send

BODY = {"to": "09171234567", "message": "Your code is 123456.", "sender_id": "CAST"}


@pytest.mark.parametrize("base", BOTH)
def test_replay_returns_the_original_response(client, base):
    first = send(client, BODY, base=base, **{"X-Idempotency-Key": "order-42"})
    again = send(client, BODY, base=base, **{"X-Idempotency-Key": "order-42"})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["X-Idempotent-Replay"] == "true"
    assert "X-Idempotent-Replay" not in first.headers
    assert kit.balance(client) == 999_999
    assert len(kit.logs(client)) == 1


def test_replay_ignores_a_changed_body(client):
    first = send(client, BODY, **{"X-Idempotency-Key": "k"})
    again = send(client, {**BODY, "message": "something else"}, **{"X-Idempotency-Key": "k"})
    assert again.json() == first.json()
    assert [e["message"] for e in kit.logs(client)] == ["Your code is 123456."]


def test_bulk_and_viber_replay(client):
    bulk = {"to": ["09171234567", "09181234567"], "message": "hi", "sender_id": "CAST"}
    a = send(client, bulk, path="sms/bulk", **{"X-Idempotency-Key": "b"})
    b = send(client, bulk, path="sms/bulk", **{"X-Idempotency-Key": "b"})
    assert a.json() == b.json() and b.headers["X-Idempotent-Replay"] == "true"
    viber = {"recipient": "+639171234567", "content": [{"type": "text", "text": "hi"}]}
    c = client.post(f"{V1}/viber/send", headers=kit.h(**{"X-Idempotency-Key": "v"}), json=viber)
    d = client.post(f"{V1}/viber/send", headers=kit.h(**{"X-Idempotency-Key": "v"}), json=viber)
    assert c.json() == d.json() and d.headers["X-Idempotent-Replay"] == "true"
    assert kit.balance(client) == 1_000_000 - 3


def test_scheduled_202_is_replayed_with_its_status(client):
    body = {**BODY, "scheduled_at": "2099-01-01T00:00:00Z"}
    send(client, body, **{"X-Idempotency-Key": "s"})
    again = send(client, body, **{"X-Idempotency-Key": "s"})
    assert (again.status_code, again.json()) == (202, {"success": True, "scheduled_at": "2099-01-01T00:00:00Z"})
    assert len(kit.logs(client)) == 1


def test_distinct_keys_send_twice(client):
    a = send(client, BODY, **{"X-Idempotency-Key": "one"}).json()["message_id"]
    b = send(client, BODY, **{"X-Idempotency-Key": "two"}).json()["message_id"]
    assert a != b


def test_keys_are_scoped_per_api_key(client):
    a = send(client, BODY, **{"X-Idempotency-Key": "same"})
    b = send(client, {"to": "09171234567", "message": "x"}, key=kit.ONE_SENDER, **{"X-Idempotency-Key": "same"})
    assert b.status_code == 200 and "X-Idempotent-Replay" not in b.headers
    assert a.json()["message_id"] != b.json()["message_id"]


def test_errors_are_not_stored(client):
    bad = send(client, {**BODY, "to": "123"}, **{"X-Idempotency-Key": "retry-me"})
    assert bad.status_code == 400
    good = send(client, BODY, **{"X-Idempotency-Key": "retry-me"})
    assert good.status_code == 200 and "X-Idempotent-Replay" not in good.headers


def test_window_is_24_hours(client):
    a = send(client, BODY, **{"X-Idempotency-Key": "day"}).json()["message_id"]
    advance(client, 86_000)
    assert send(client, BODY, **{"X-Idempotency-Key": "day"}).json()["message_id"] == a
    advance(client, 500)
    later = send(client, BODY, **{"X-Idempotency-Key": "day"})
    assert later.json()["message_id"] != a and "X-Idempotent-Replay" not in later.headers


def test_key_length_limit(client):
    assert send(client, BODY, **{"X-Idempotency-Key": "k" * 255}).status_code == 200
    resp = send(client, BODY, **{"X-Idempotency-Key": "k" * 256})
    assert (resp.status_code, resp.json()) == (
        400, err("X-Idempotency-Key is too long (max 255 characters)", "VALIDATION_ERROR"))


def test_a_reset_account_does_not_replay_responses_from_before_the_reset(client):
    first = send(client, BODY, **{"X-Idempotency-Key": "order-43"})
    assert client.delete("/_mock/accounts/cast-demo").status_code == 204  # the fixture account comes back fresh
    again = send(client, BODY, **{"X-Idempotency-Key": "order-43"})
    assert again.status_code == 200 and "X-Idempotent-Replay" not in again.headers
    assert again.json()["message_id"] != first.json()["message_id"]
    assert len(kit.logs(client)) == 1  # the new account's own send
