"""Sandbox keys (cast_test_...): "sandbox": true, SANDBOX_<16 hex> ids, no credits used. The sandbox
stores these messages (flagged sandbox) so they can be inspected and polled; that is designed."""

from __future__ import annotations

import re

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, h, send

SANDBOX_ID = re.compile(r"SANDBOX_[0-9a-f]{16}")


@pytest.mark.parametrize("base", BOTH)
@pytest.mark.parametrize("path", ["sms/send", "otp/send"])
def test_single_sends(client, base, path):
    resp = send(client, {"to": "09171234567", "message": "test", "sender_id": "MYAPP"}, key=kit.SANDBOX,
                path=path, base=base)
    assert resp.status_code == 200
    body = resp.json()
    assert SANDBOX_ID.fullmatch(body.pop("message_id"))
    assert body == {"success": True, "parts": 1, "sandbox": True}
    assert kit.balance(client, kit.SANDBOX) == 0


def test_bulk(client):
    resp = send(client, {"to": ["09171234567", "bad"], "message": "a" * 200, "sender_id": "CAST"},
                key=kit.SANDBOX, path="sms/bulk")
    body = resp.json()
    assert body["sandbox"] is True and (body["sent"], body["failed"]) == (1, 1)
    assert SANDBOX_ID.fullmatch(body["results"][0]["message_id"]) and body["results"][0]["parts"] == 2
    assert kit.balance(client, kit.SANDBOX) == 0


def test_sandbox_messages_can_be_polled(client):
    mid = send(client, {"to": "09171234567", "message": "t", "sender_id": "CAST"}, key=kit.SANDBOX).json()["message_id"]
    advance(client, 5)
    assert kit.status(client, mid, kit.SANDBOX)["status"] == "delivered"
    assert kit.logs(client, kit.SANDBOX)[0]["smpp_message_id"] == mid


def test_scheduled_sandbox(client):
    resp = send(client, {"to": "09171234567", "message": "t", "sender_id": "CAST",
                         "scheduled_at": "2099-01-01T00:00:00Z"}, key=kit.SANDBOX)
    assert (resp.status_code, resp.json()) == (202, {"success": True, "scheduled_at": "2099-01-01T00:00:00Z",
                                                     "sandbox": True})


def test_sandbox_still_validates(client):
    resp = send(client, {"to": "1", "message": "t", "sender_id": "CAST"}, key=kit.SANDBOX)
    assert (resp.status_code, resp.json()) == (400, err("to must be 7-20 characters", "VALIDATION_ERROR"))
    resp = send(client, {"to": "09171234567", "message": "t", "sender_id": "NOPE"}, key=kit.SANDBOX)
    assert resp.status_code == 403


def test_auto_provisioned_test_key_is_a_sandbox(client_factory):
    client = client_factory(auto_provision=True)
    key = "cast_test_" + "12" * 32
    resp = client.post(f"{V1}/sms/send", headers=h(key), json={"to": "09171234567", "message": "t"})
    assert resp.json()["sandbox"] is True
    assert kit.balance(client, key) == 1_000_000
