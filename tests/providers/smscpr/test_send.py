"""POST /v1/sendsms and POST /messages/sms: acceptance, the QUEUED receipt, atomicity."""

from __future__ import annotations

import json

import pytest

from tests.providers.smscpr.kit import (
    ACCOUNT, AUTH, ISO_MS_RE, PLAN, RECEIPT_KEYS, SEED_SEND_BODY, UUID7_RE, body, credits, seed_send_headers, send,
)


@pytest.mark.parametrize("path", ["/smscpr/v1/sendsms", "/smscpr/messages/sms"])
def test_seed_curl_is_accepted_with_a_queued_receipt(client, path):
    resp = client.post(path, content=SEED_SEND_BODY, headers=seed_send_headers())
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    data = resp.json()
    assert list(data) == RECEIPT_KEYS
    assert UUID7_RE.fullmatch(data["msgId"])
    assert ISO_MS_RE.fullmatch(data["createdAt"])
    assert {k: v for k, v in data.items() if k not in ("msgId", "createdAt")} == {
        "accountId": ACCOUNT, "servicePlanId": PLAN, "channel": "SMS", "direction": "MT",
        "from": "+15550001111", "to": "+15550002222", "body": "Your verification code is 123456",
        "status": "QUEUED", "errorCode": "000", "errorMessage": "No error",
        "callbackUrl": "https://client.example.com/sms/status", "parts": 1,
        "sentAt": None, "doneAt": None, "price": None, "ptf": None, "mccmnc": None,
    }


def test_each_send_gets_a_new_time_ordered_msg_id(client):
    first = send(client).json()["msgId"]
    second = send(client).json()["msgId"]
    assert first != second
    assert UUID7_RE.fullmatch(second)
    assert first[:13] <= second[:13]  # the 48-bit millisecond prefix never goes back


def test_send_takes_one_credit_per_part(client):
    before = credits(client)
    assert send(client).json()["parts"] == 1
    long_ = send(client, body="x" * 161).json()
    assert long_["parts"] == 2
    unicode_ = send(client, body="สวัสดี" * 12).json()  # 72 UCS-2 units: two parts
    assert unicode_["parts"] == 2
    assert credits(client) == before - 5


def test_alphanumeric_and_short_code_senders_are_accepted(client):
    assert send(client, from_="MyBrand").json()["from"] == "MyBrand"
    assert send(client, from_="12345").json()["from"] == "12345"


def test_unknown_body_fields_are_ignored(client):
    resp = client.post("/smscpr/v1/sendsms", json={**body(), "clientReference": "abc"}, headers=AUTH)
    assert resp.status_code == 200
    assert "clientReference" not in resp.json()


def test_content_type_with_charset_is_json(client):
    resp = client.post("/smscpr/v1/sendsms", content=json.dumps(body()),
                       headers={**AUTH, "Content-Type": "application/json; charset=utf-8"})
    assert resp.status_code == 200


def test_accepted_message_is_readable_at_once(client):
    sent = send(client).json()
    got = client.get(f"/smscpr/v1/messages/sms/{sent['msgId']}", headers=AUTH)
    assert got.status_code == 200
    assert got.json() == sent
