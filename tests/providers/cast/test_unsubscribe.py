"""unsubscribe/token and account/unsubscribed; GET /cast/u/{token} stands in for the subscriber
opening the link (sandbox only)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, h


def _token(client, phone: str = "09171234567", sender: str = "MYAPP", base: str = V1):
    return client.post(f"{base}/unsubscribe/token", headers=h(), json={"phone": phone, "sender_id": sender})


@pytest.mark.parametrize("base", BOTH)
def test_token_click_and_list(client, base):
    client.post("/_mock/clock/set", json={"iso": "2030-01-01T00:00:00Z"})
    resp = _token(client, base=base)
    assert resp.status_code == 200
    body = resp.json()
    assert re.fullmatch(r"u\.cast\.ph/[0-9a-f]{16}", body.pop("link"))
    assert body == {"success": True, "expires_at": "2030-01-08T00:00:00Z"}
    assert client.get(f"{base}/account/unsubscribed", headers=h()).json() == {"success": True, "data": []}
    token = resp.json()["link"].rsplit("/", 1)[1]
    click = client.get(f"/cast/u/{token}")
    assert click.json() == {"success": True, "phone": "09171234567", "sender_id": "MYAPP"}
    assert client.get(f"{base}/account/unsubscribed", headers=h()).json() == {"success": True, "data": [
        {"phone": "09171234567", "sender_id": "MYAPP", "unsubscribed_at": "2030-01-01T00:00:00Z", "ip": None}]}
    again = _token(client, "+639171234567")
    assert (again.status_code, again.json()) == (
        422, err("phone number is already unsubscribed from this sender ID", "ALREADY_UNSUBSCRIBED"))
    assert _token(client, sender="CAST").status_code == 200  # other sender IDs are unaffected
    assert client.get(f"/cast/u/{token}").status_code == 404  # a link works once


def test_expired_link(client):
    token = _token(client).json()["link"].rsplit("/", 1)[1]
    advance(client, 7 * 86_400 + 1)
    resp = client.post(f"/cast/u/{token}")
    assert (resp.status_code, resp.json()) == (404, err("unsubscribe link not found or expired"))


@pytest.mark.parametrize("body,status,message,code", [
    ({"phone": "", "sender_id": "MYAPP"}, 400, "phone is required", "VALIDATION_ERROR"),
    ({"phone": "12345", "sender_id": "MYAPP"}, 400, "invalid phone number", "VALIDATION_ERROR"),
    ({"phone": "09171234567", "sender_id": ""}, 400, "sender_id is required", "VALIDATION_ERROR"),
    ({"sender_id": "MYAPP"}, 400, "phone is required", "VALIDATION_ERROR"),
    ({"phone": "09171234567", "sender_id": "OTHER"}, 403, "sender_id 'OTHER' is not allowed for this user",
     "SENDER_ID_NOT_ALLOWED"),
])
def test_token_errors(client, body, status, message, code):
    resp = client.post(f"{V1}/unsubscribe/token", headers=h(), json=body)
    assert (resp.status_code, resp.json()) == (status, err(message, code))


def test_optouts_are_per_account(client):
    token = _token(client).json()["link"].rsplit("/", 1)[1]
    client.get(f"/cast/u/{token}")
    assert client.get(f"{V1}/account/unsubscribed", headers=h(kit.SIM)).json()["data"] == []


def _unsubscribe(client, phone: str, sender: str = "MYAPP") -> None:
    token = _token(client, phone, sender).json()["link"].rsplit("/", 1)[1]
    assert client.get(f"/cast/u/{token}").status_code == 200


@pytest.mark.parametrize("registered", ["+639171234567", "639171234567", "09171234567"])
def test_list_returns_the_number_as_registered(client, registered):
    _unsubscribe(client, registered)
    [entry] = client.get(f"{V1}/account/unsubscribed", headers=h()).json()["data"]
    assert entry["phone"] == registered


@pytest.mark.parametrize("written", ["09171234567", "+639171234567", "639171234567", "0917-123-4567"])
@pytest.mark.parametrize("base", BOTH)
def test_sends_to_an_opted_out_number_from_that_sender_are_blocked(client, base, written):
    _unsubscribe(client, "+639171234567")
    resp = kit.send(client, {"to": written, "message": "promo", "sender_id": "MYAPP"}, base=base)
    expected = err("phone number is already unsubscribed from this sender ID",
                   "ALREADY_UNSUBSCRIBED" if base == V1 else None)
    assert (resp.status_code, resp.json()) == (422, expected)
    assert kit.balance(client) == 1_000_000 and kit.logs(client) == []
    assert kit.send(client, {"to": written, "message": "hi", "sender_id": "CAST"}, base=base).status_code == 200


def test_bulk_fails_only_the_opted_out_destination_and_charges_nothing_for_it(client):
    _unsubscribe(client, "+639171234567")
    body = kit.send(client, {"to": ["09171234567", "09181234567"], "message": "promo", "sender_id": "MYAPP"},
                    path="sms/bulk").json()
    assert body["results"][0] == {"to": "09171234567", "success": False,
                                  "error": "phone number is already unsubscribed from this sender ID"}
    assert (body["success"], body["sent"], body["failed"]) == (False, 1, 1)
    assert kit.balance(client) == 999_999
    assert [e["destination"] for e in kit.logs(client)] == ["639181234567"]
