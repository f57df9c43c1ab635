"""POST /otp/send: same request and response as sms/send, on the OTP pool (message_type otp)."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, send


@pytest.mark.parametrize("base", BOTH)
def test_otp_send(client, base):
    resp = send(client, {"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"},
                path="otp/send", base=base)
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"success", "message_id", "parts"} and body["parts"] == 1
    [entry] = kit.logs(client)
    assert (entry["smpp_message_id"], entry["message_type"]) == (body["message_id"], "otp")
    advance(client, 5)
    assert kit.status(client, body["message_id"])["status"] == "delivered"


def test_otp_shares_the_validation_rules(client):
    resp = send(client, {"to": "0917", "message": "1234"}, path="otp/send", base=V1)
    assert (resp.status_code, resp.json()) == (400, err("to must be 7-20 characters", "VALIDATION_ERROR"))
    resp = send(client, {"to": "09171234567", "message": "1234"}, key=kit.NO_SENDER, path="otp/send")
    assert (resp.status_code, resp.json()) == (
        403, err("no sender IDs assigned to this user", "SENDER_ID_NOT_ALLOWED"))


def test_otp_needs_credits(client):
    resp = send(client, {"to": "09171234567", "message": "a" * 500}, key=kit.LOW, path="otp/send")
    assert (resp.status_code, resp.json()) == (402, err("insufficient credits: need 4, have 3", "INSUFFICIENT_CREDITS"))
