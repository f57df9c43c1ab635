"""Account operations: balance, profile, usage, sender-ids, sender ID requests and delete-requests."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, h, send



@pytest.mark.parametrize("base", BOTH)
def test_balance(client, base):
    resp = client.get(f"{base}/account/balance", headers=h())
    assert (resp.status_code, resp.json()) == (200, {"success": True, "credits": 1_000_000, "currency": "PHP"})


def test_sandbox_balance_is_untouched(client):
    send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}, key=kit.SANDBOX)
    assert kit.balance(client, kit.SANDBOX) == 0


def test_profile(client):
    body = client.get(f"{V1}/account/profile", headers=h()).json()
    assert body.pop("created_at").endswith("Z")
    assert isinstance(body["id"], int) and not isinstance(body["id"], bool)  # v1 doc #12: an integer id
    assert client.get(f"{V1}/account/profile", headers=h()).json()["id"] == body.pop("id")  # and a stable one
    assert body == {"success": True, "name": "Demo Company", "email": "dev@demo.example.ph",
                    "mobile": "09171234567", "username": "demo", "credits": 1_000_000, "billing_type": "topup",
                    "allowed_channels": ["sms", "otp", "bulk", "viber"], "is_active": True}
    sim = client.get(f"{V1}/account/profile", headers=h(kit.SIM)).json()
    assert sim["allowed_channels"] == ["sms", "otp", "bulk", "sim"] and sim["mobile"] is None
    assert client.get(f"{V1}/account/profile", headers=h(kit.POSTPAID)).json()["billing_type"] == "postpaid"


def test_usage_per_manila_day(client):
    client.post("/_mock/clock/set", json={"iso": "2030-03-10T02:00:00Z"})
    send(client, {"to": ["09171234567", "09170999001", "bad"], "message": "a" * 200, "sender_id": "CAST"},
         path="sms/bulk")
    send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}, key=kit.SANDBOX)
    advance(client, 10)
    client.post("/_mock/clock/set", json={"iso": "2030-03-11T17:00:00Z"})  # already the 12th in Manila
    send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}, path="otp/send")
    advance(client, 10)
    resp = client.get(f"{V1}/account/usage", headers=h(), params={"from": "2030-03-01", "to": "2030-03-31"})
    assert resp.json() == {
        "success": True, "from": "2030-03-01", "to": "2030-03-31", "total": 3, "total_sent": 2, "total_failed": 1,
        "total_parts": 3, "daily": [
            {"date": "2030-03-12", "total": 1, "sent": 1, "failed": 0, "parts": 1},
            {"date": "2030-03-10", "total": 2, "sent": 1, "failed": 1, "parts": 2},
        ]}


def test_usage_defaults_to_the_last_30_days(client):
    client.post("/_mock/clock/set", json={"iso": "2030-03-31T10:00:00Z"})
    send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"})
    body = client.get(f"{V1}/account/usage", headers=h()).json()
    assert (body["from"], body["to"], body["total"]) == ("2030-03-01", "2030-03-31", 1)
    body = client.get(f"{V1}/account/usage", headers=h(), params={"to": "2030-03-30"}).json()
    assert (body["from"], body["to"], body["total"], body["daily"]) == ("2030-02-28", "2030-03-30", 0, [])
    # The v1 doc's usage example: "from": "2026-03-06", "to": "2026-04-05", `from` 30 days before `to`.
    body = client.get(f"{V1}/account/usage", headers=h(), params={"to": "2026-04-05"}).json()
    assert (body["from"], body["to"]) == ("2026-03-06", "2026-04-05")


@pytest.mark.parametrize("params,message", [
    ({"from": "03/01/2030"}, "invalid from date, expected YYYY-MM-DD"),
    ({"to": "soon"}, "invalid to date, expected YYYY-MM-DD"),
    ({"from": "2030-03-05", "to": "2030-03-01"}, "from must not be after to"),
])
def test_usage_bad_dates(client, params, message):
    resp = client.get(f"{V1}/account/usage", headers=h(), params=params)
    assert (resp.status_code, resp.json()) == (400, err(message, "VALIDATION_ERROR"))


def test_sender_ids(client):
    resp = client.get(f"{V1}/account/sender-ids", headers=h())
    assert resp.json() == {"success": True, "sender_ids": [
        {"sender_id": "CAST", "label": "Cast default", "channel": "sms"},
        {"sender_id": "MYAPP", "label": "My App", "channel": "sms"}]}
    sim = client.get(f"{V1}/account/sender-ids", headers=h(kit.SIM)).json()["sender_ids"]
    assert [s["channel"] for s in sim] == ["sms", "sim"]
    assert client.get(f"{V1}/account/sender-ids", headers=h(kit.NO_SENDER)).json() == {
        "success": True, "sender_ids": []}


def test_sender_id_request_is_reviewed_then_usable(client):
    resp = client.post(f"{V1}/account/sender-ids/request", headers=h(kit.NO_SENDER), json={
        "sender_id": "NEWSHOP", "company_name": "New Shop Inc.", "reason": "Order updates",
        "designation": "CTO", "name": "Juan", "company_address": "Makati", "sample_message": "Order shipped"})
    assert resp.status_code == 200
    body = resp.json()
    request_id = body.pop("request_id")
    assert isinstance(request_id, int) and request_id > 0  # v1 doc #17: an integer
    assert body == {"success": True, "status": "pending_review", "message": "sender ID request submitted for review"}
    assert client.get(f"{V1}/account/sender-ids", headers=h(kit.NO_SENDER)).json()["sender_ids"] == []
    again = client.post(f"{V1}/account/sender-ids/request", headers=h(kit.NO_SENDER),
                        json={"sender_id": "NEWSHOP", "company_name": "New Shop Inc.", "reason": "again"})
    assert again.json() == err("a request for sender_id 'NEWSHOP' is already pending review", "VALIDATION_ERROR")
    advance(client, 30)
    assert client.get(f"{V1}/account/sender-ids", headers=h(kit.NO_SENDER)).json()["sender_ids"] == [
        {"sender_id": "NEWSHOP", "label": "New Shop Inc.", "channel": "sms"}]
    assert send(client, {"to": "09171234567", "message": "hi"}, key=kit.NO_SENDER).status_code == 200


def test_rejected_sender_request(client):
    client.post(f"{V1}/account/sender-ids/request", headers=h(),
                json={"sender_id": "CASINO", "company_name": "x", "reason": "casino promos"})
    advance(client, 30)
    names = [s["sender_id"] for s in client.get(f"{V1}/account/sender-ids", headers=h()).json()["sender_ids"]]
    assert "CASINO" not in names


@pytest.mark.parametrize("body,status,message", [
    ({"company_name": "x", "reason": "y"}, 400, "sender_id is required"),
    ({"sender_id": "OK", "reason": "y"}, 400, "company_name is required"),
    ({"sender_id": "OK", "company_name": "x"}, 400, "reason is required"),
    ({"sender_id": "", "company_name": "x", "reason": "y"}, 400, "sender_id is required"),
    ({"sender_id": "A" * 21, "company_name": "x", "reason": "y"}, 400, "sender ID is too long (max 20 characters)"),
    ({"sender_id": "CAST", "company_name": "x", "reason": "y"}, 400, "sender_id 'CAST' is already assigned to this user"),
])
def test_sender_id_request_errors(client, body, status, message):
    resp = client.post(f"{V1}/account/sender-ids/request", headers=h(), json=body)
    assert (resp.status_code, resp.json()) == (status, err(message, "VALIDATION_ERROR"))


def test_delete_request(client):
    resp = client.post(f"{V1}/account/sender-ids/delete-request", headers=h(),
                       json={"sender_id": "MYAPP", "reason": "rebranding"})
    assert resp.status_code == 200
    body = resp.json()
    assert isinstance(body.pop("request_id"), int)  # v1 doc #18: the same shape as #17
    assert body == {"success": True, "status": "pending_review",
                    "message": "sender ID deletion request submitted for review"}
    assert len(client.get(f"{V1}/account/sender-ids", headers=h()).json()["sender_ids"]) == 2  # stays usable
    missing = client.post(f"{V1}/account/sender-ids/delete-request", headers=h(),
                          json={"sender_id": "GHOST", "reason": "x"})
    assert (missing.status_code, missing.json()) == (
        404, err("sender_id 'GHOST' is not assigned to this user", "NOT_FOUND"))
    no_reason = client.post(f"{V1}/account/sender-ids/delete-request", headers=h(), json={"sender_id": "MYAPP"})
    assert (no_reason.status_code, no_reason.json()) == (400, err("reason is required", "VALIDATION_ERROR"))
