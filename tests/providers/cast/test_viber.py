"""viber/send and viber/status: E.164 recipient, text content, ttl >= 60, credits per message;
delivery_status 70 (delivered) or 91 (not a Viber user)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, h

BODY = {"recipient": "+639171234567", "content": [{"type": "text", "text": "Hello from Cast on Viber!"}],
        "options": {"ttl": 3600, "external_id": "order-1"}}


@pytest.mark.parametrize("base", BOTH)
def test_send_and_status(client, base):
    resp = client.post(f"{base}/viber/send", headers=h(), json=BODY)
    assert resp.status_code == 200
    body = resp.json()
    mid = body.pop("message_id")
    assert re.fullmatch(r"cstvbr_[0-9a-f]{16}", mid)
    assert body == {"success": True, "recipient": "+639171234567", "credits_used": 1}
    assert kit.balance(client) == 999_999
    pending = client.get(f"{base}/viber/status/{mid}", headers=h()).json()
    # delivery_status and delivered_at are omitted until a receipt exists; sent_at is a string from the
    # start, as in the v1 doc's example ("sent_at": "2026-04-05T10:30:00Z"), and never changes once sent
    assert pending == {"success": True, "message_id": mid, "status": "sent", "sent_at": pending["sent_at"]}
    assert isinstance(pending["sent_at"], str) and pending["sent_at"].endswith("Z")
    advance(client, 5)
    done = client.get(f"{base}/viber/status/{mid}", headers=h()).json()
    assert (done["status"], done["delivery_status"]) == ("sent", 70)
    assert done["sent_at"] == pending["sent_at"] and done["sent_at"] < done["delivered_at"]
    assert kit.logs(client) == []  # Viber is not an SMS log entry


def test_not_a_viber_user(client):
    mid = client.post(f"{V1}/viber/send", headers=h(), json={**BODY, "recipient": "+639170999002"}).json()["message_id"]
    advance(client, 5)
    body = client.get(f"{V1}/viber/status/{mid}", headers=h()).json()
    assert (body["status"], body["delivery_status"]) == ("sent", 91) and "delivered_at" not in body


@pytest.mark.parametrize("base", BOTH)
def test_viber_channel_must_be_enabled(client, base):
    resp = client.post(f"{base}/viber/send", headers=h(kit.ONE_SENDER), json=BODY)
    expected = {"success": False, "error": "viber channel not enabled for this account"}
    if base == V1:
        expected["error_code"] = "CHANNEL_NOT_ALLOWED"
    assert (resp.status_code, resp.json()) == (403, expected)
    assert client.get("/_mock/accounts/cast-single").json()["credits"] == 10000


@pytest.mark.parametrize("patch,message", [
    ({"recipient": ""}, "recipient is required"),
    ({"recipient": "09171234567"}, "recipient must be in E.164 format (e.g. +639171234567)"),
    ({"content": []}, "content is required"),
    ({"content": [{"type": "image", "text": "x"}]}, "content[0].type must be \"text\""),
    ({"content": [{"type": "text"}]}, "content[0].text is required"),
    ({"content": [{"type": "text", "text": "x" * 1001}]}, "content[0].text is too long (max 1000 characters)"),
    ({"options": {"ttl": 59}}, "options.ttl must be at least 60 seconds"),
])
def test_validation(client, patch, message):
    resp = client.post(f"{V1}/viber/send", headers=h(), json={**BODY, **patch})
    assert (resp.status_code, resp.json()) == (400, err(message, "VALIDATION_ERROR"))
    assert kit.balance(client) == 1_000_000


def test_sandbox_viber_costs_nothing(client):
    resp = client.post(f"{V1}/viber/send", headers=h(kit.SANDBOX), json=BODY)
    assert resp.json()["credits_used"] == 0 and resp.json()["sandbox"] is True


def test_viber_needs_credits(client):
    client.patch("/_mock/accounts/cast-demo", json={"credits": 0})
    resp = client.post(f"{V1}/viber/send", headers=h(), json=BODY)
    assert (resp.status_code, resp.json()) == (402, err("insufficient credits: need 1, have 0", "INSUFFICIENT_CREDITS"))


def test_sms_id_is_not_a_viber_id(client):
    sms = kit.send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}).json()["message_id"]
    assert client.get(f"{V1}/viber/status/{sms}", headers=h()).status_code == 404
