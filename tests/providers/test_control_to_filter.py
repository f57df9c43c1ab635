"""The control API's `to` filter (/_mock/messages, /_mock/messages/latest) finds a message whatever form
the number is written in (local 09…, 639…, +639…, with separators), whatever form the provider stored."""

from __future__ import annotations

import pytest

from tests.providers.cast.kit import send as cast_send
from tests.providers.engagelab.kit import send as engagelab_send, tpl
from tests.providers.mesms.kit import KEY as MESMS_KEY

FORMS = ["09171234567", "639171234567", "+639171234567", "0917-123-4567", "+63 917 123 4567"]


def public_ids(client, **params) -> list[str]:
    resp = client.get("/_mock/messages", params=params)
    assert resp.status_code == 200, resp.text
    return [m["public_id"] for m in resp.json()["items"]]


@pytest.mark.parametrize("written", FORMS)
def test_cast_message_found_by_any_written_form(client, written):
    cast_send(client, {"to": "09181234567", "message": "other", "sender_id": "CAST"})
    cast_send(client, {"to": "+639171234567", "message": "mine", "sender_id": "CAST"})
    [found] = client.get("/_mock/messages", params={"to": written}).json()["items"]
    assert found["body"] == "mine"
    latest = client.get("/_mock/messages/latest", params={"to": written})
    assert latest.status_code == 200 and latest.json()["body"] == "mine"


@pytest.mark.parametrize("written", FORMS)
def test_engagelab_message_stored_with_plus_found_by_any_form(client, written):
    plan = engagelab_send(client, tpl("notification-template", to=["+639171234567"], order="1")).json()["plan_id"]
    assert public_ids(client, to=written) == [plan]


def test_mesms_local_thai_number_found_by_international_form(client):
    resp = client.post("/mesms/api/v2/sms/send", headers={"x-api-key": MESMS_KEY},
                       json={"sender": "MeSMS", "content": "hi", "msisdns": ["0812345678"]})
    assert resp.status_code == 200, resp.text
    uuid = resp.json()["uuid"]
    for written in ("0812345678", "66812345678", "+66812345678"):
        assert public_ids(client, to=written) == [uuid]


def test_another_number_is_not_matched(client):
    cast_send(client, {"to": "09171234567", "message": "mine", "sender_id": "CAST"})
    for written in ("09171234568", "+639171234568", "9171234567", "1234567"):
        assert public_ids(client, to=written) == []

