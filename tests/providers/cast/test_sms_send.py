"""POST /api/sms/send and /api/v1/sms/send: the seed's examples verbatim, number formats, length
limits per API version, parts and credits, and the sender ID rules."""

from __future__ import annotations

import re

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, LEGACY, V1, err, h, send

ID = re.compile(r"CAST[0-9a-f]{16}")


def _ok(resp, parts: int = 1) -> str:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"success", "message_id", "parts"}
    assert body["success"] is True and body["parts"] == parts
    assert ID.fullmatch(body["message_id"])
    return body["message_id"]


def test_seed_curl_single_sms(client):
    """The seed's cURL example, only host and key changed."""
    resp = client.post(
        "/cast/api/sms/send",
        headers={"X-API-Key": kit.README, "Content-Type": "application/json"},
        content='{\n    "to": "09171234567",\n    "message": "Your verification code is 123456.",\n'
                '    "sender_id": "MYAPP"\n  }',
    )
    _ok(resp)
    assert resp.headers["content-type"] == "application/json"


def test_seed_fetch_example_with_63_number(client):
    """The JavaScript fetch (and PHP) example sends to 639171234567."""
    resp = client.post("/cast/api/sms/send", headers={"X-API-Key": kit.README, "Content-Type": "application/json"},
                       json={"to": "639171234567", "message": "Your verification code is 123456.",
                             "sender_id": "MYAPP"})
    data = resp.json()
    assert data["success"] and data["message_id"] and data["parts"] == 1


def test_seed_requests_example_and_its_log_entry(client):
    mid = _ok(client.post("/cast/api/sms/send", headers={"X-API-Key": kit.README, "Content-Type": "application/json"},
                          json={"to": "09171234567", "message": "Your verification code is 123456.",
                                "sender_id": "MYAPP"}))
    [entry] = kit.logs(client)
    assert entry["smpp_message_id"] == mid and isinstance(entry["id"], int)
    assert (entry["message_type"], entry["sender_id"], entry["destination"], entry["message"], entry["parts"]) == (
        "sms", "MYAPP", "639171234567", "Your verification code is 123456.", 1)
    assert kit.balance(client) == 999_999


@pytest.mark.parametrize("to", ["09171234567", "639171234567", "+639171234567", "0917-123-4567",
                                "(0917)1234567", "+6591234567"])
def test_accepted_number_formats(client, to):
    _ok(send(client, {"to": to, "message": "hi", "sender_id": "CAST"}))


@pytest.mark.parametrize("base,to,message", [
    (LEGACY, "091712", "to must be 7-15 characters"),
    (LEGACY, "+63 917 123 45678", "to must be 7-15 characters"),
    (V1, "091712", "to must be 7-20 characters"),
    (V1, "+63 (917) 123-4567 89", "to must be 7-20 characters"),
    (V1, "", "to is required"),
    (V1, "   ", "to is required"),
    (V1, "12345678", "invalid phone number"),
    (V1, "0917123456", "invalid phone number"),
    (V1, "abcdefghij", "invalid phone number"),
    (V1, "6591234567", "invalid phone number"),
    (V1, "+63917123456", "invalid phone number"),
])
def test_number_errors(client, base, to, message):
    resp = send(client, {"to": to, "message": "hi", "sender_id": "CAST"}, base=base)
    assert resp.status_code == 400
    assert resp.json() == err(message, "VALIDATION_ERROR" if base == V1 else None)
    assert kit.logs(client) == []


def test_v1_accepts_16_to_20_characters(client):
    _ok(send(client, {"to": "+63-(917)-123-4567", "message": "hi", "sender_id": "CAST"}))


@pytest.mark.parametrize("base", BOTH)
@pytest.mark.parametrize("to", ["0917 123 4567", "+63 9171234567", "0917.123.4567", "0917/1234567",
                                "09171234567 ", "０９１７１２３４５６７"])
def test_to_allows_only_digits_and_plus_parens_dash(client, base, to):
    """v1 doc #1: `to` is 7-20 characters of digits and +()-; a space or any other character is refused."""
    resp = send(client, {"to": to, "message": "hi", "sender_id": "CAST"}, base=base)
    assert (resp.status_code, resp.json()) == (400, err("invalid phone number", "VALIDATION_ERROR" if base == V1 else None))
    assert kit.logs(client) == [] and kit.balance(client) == 1_000_000


def test_bulk_refuses_a_spaced_number_per_destination(client):
    body = send(client, {"to": ["0917 123 4567", "09171234567"], "message": "hi", "sender_id": "CAST"},
                path="sms/bulk").json()
    assert body["results"][0] == {"to": "0917 123 4567", "success": False, "error": "invalid phone number"}
    assert (body["sent"], body["failed"]) == (1, 1) and kit.balance(client) == 999_999


@pytest.mark.parametrize("base,length,code", [
    (LEGACY, 450, 200), (LEGACY, 451, 400), (V1, 451, 200), (V1, 10_000, 200), (V1, 10_001, 400),
])
def test_message_length_limits(client, base, length, code):
    resp = send(client, {"to": "09171234567", "message": "a" * length, "sender_id": "CAST"}, base=base)
    assert resp.status_code == code
    if code == 400:
        limit = 450 if base == LEGACY else 10000
        assert resp.json() == err(f"message is too long (max {limit} characters)",
                                  "VALIDATION_ERROR" if base == V1 else None)


@pytest.mark.parametrize("message", ["", "   "])
def test_empty_message_is_required(client, message):
    resp = send(client, {"to": "09171234567", "message": message, "sender_id": "CAST"}, base=LEGACY)
    assert (resp.status_code, resp.json()) == (400, err("message is required"))


@pytest.mark.parametrize("text,parts", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("a" * 450, 3),
    ("ñ" * 160, 1), ("€" * 80, 1), ("€" * 81, 2),
    ("ü" + "漢" * 69, 1), ("漢" * 70, 1), ("漢" * 71, 2), ("😀" * 35, 1), ("😀" * 36, 2),
])
def test_parts_and_credits(client, text, parts):
    _ok(send(client, {"to": "09171234567", "message": text, "sender_id": "CAST"}, base=LEGACY), parts)
    assert kit.balance(client) == 1_000_000 - parts


def test_insufficient_credits_is_402_and_stores_nothing(client):
    body = {"to": "09171234567", "message": "a" * 200, "sender_id": "CAST"}
    _ok(send(client, body, key=kit.LOW), 2)
    for base, code in ((V1, "INSUFFICIENT_CREDITS"), (LEGACY, None)):
        resp = send(client, body, key=kit.LOW, base=base)
        assert (resp.status_code, resp.json()) == (402, err("insufficient credits: need 2, have 1", code))
    assert kit.balance(client, kit.LOW) == 1
    assert len(kit.logs(client, kit.LOW)) == 1


def test_postpaid_balance_goes_negative(client):
    _ok(send(client, {"to": "09171234567", "message": "a" * 200}, key=kit.POSTPAID), 2)
    assert kit.balance(client, kit.POSTPAID) == -2


class TestSenderIds:
    def test_single_sender_is_the_default(self, client):
        _ok(send(client, {"to": "09171234567", "message": "hi"}, key=kit.ONE_SENDER))
        assert kit.logs(client, kit.ONE_SENDER)[0]["sender_id"] == "ONLYONE"

    def test_several_senders_make_sender_id_required(self, client):
        resp = send(client, {"to": "09171234567", "message": "hi"})
        assert (resp.status_code, resp.json()) == (
            400, err("sender_id is required when more than one sender ID is assigned", "VALIDATION_ERROR"))

    @pytest.mark.parametrize("base", BOTH)
    def test_unknown_sender_is_403(self, client, base):
        resp = send(client, {"to": "09171234567", "message": "hi", "sender_id": "BANK"}, base=base)
        assert resp.status_code == 403
        assert resp.json() == err("sender_id 'BANK' is not allowed for this user",
                                  "SENDER_ID_NOT_ALLOWED" if base == V1 else None)

    def test_sender_ids_are_case_sensitive(self, client):
        resp = send(client, {"to": "09171234567", "message": "hi", "sender_id": "myapp"})
        assert resp.json()["error"] == "sender_id 'myapp' is not allowed for this user"

    @pytest.mark.parametrize("sender_id", [None, "CAST"])
    def test_no_senders_assigned(self, client, sender_id):
        body = {"to": "09171234567", "message": "hi", **({"sender_id": sender_id} if sender_id else {})}
        resp = send(client, body, key=kit.NO_SENDER, base=LEGACY)
        assert (resp.status_code, resp.json()) == (403, err("no sender IDs assigned to this user"))

    @pytest.mark.parametrize("base,sender,message", [
        (LEGACY, "ABCDEFGHIJKL", "sender ID is too long (max 11 characters)"),
        (V1, "A" * 21, "sender ID is too long (max 20 characters)"),
        (V1, "ABCDEFGHIJKL", "sender_id 'ABCDEFGHIJKL' is not allowed for this user"),
    ])
    def test_sender_length_per_version(self, client, base, sender, message):
        resp = send(client, {"to": "09171234567", "message": "hi", "sender_id": sender}, base=base)
        assert resp.json()["error"] == message
        assert resp.status_code == (400 if "too long" in message else 403)

    def test_pending_sender_cannot_send_until_approved(self, client):
        req = client.post(f"{V1}/account/sender-ids/request", headers=h(),
                          json={"sender_id": "NEWBRAND", "company_name": "Demo", "reason": "alerts"})
        assert req.status_code == 200
        body = {"to": "09171234567", "message": "hi", "sender_id": "NEWBRAND"}
        assert send(client, body).status_code == 403
        advance(client, 30)
        _ok(send(client, body))


def test_validation_order_to_message_sender(client):
    """to is checked before message, message before the sender ID length."""
    resp = send(client, {"to": "1", "message": "", "sender_id": "X" * 30}, base=LEGACY)
    assert resp.json()["error"] == "to must be 7-15 characters"
    resp = send(client, {"to": "09171234567", "message": "", "sender_id": "X" * 30}, base=LEGACY)
    assert resp.json()["error"] == "message is required"
    resp = send(client, {"to": "09171234567", "message": "a" * 451, "sender_id": "X" * 30}, base=LEGACY)
    assert resp.json()["error"] == "message is too long (max 450 characters)"
