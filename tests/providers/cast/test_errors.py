"""Bad input of every kind gets a Cast-shaped error with the right status, never a 500, and leaves
nothing stored: malformed JSON, wrong types, nulls, oversized bodies, unknown paths and methods."""

from __future__ import annotations

import pytest

from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, LEGACY, V1, err, h

JSON = {"Content-Type": "application/json"}


def _code(base: str, code: str) -> str | None:
    return code if base == V1 else None


def _nothing_stored(client) -> None:
    assert kit.logs(client) == []
    assert kit.balance(client) == 1_000_000


@pytest.mark.parametrize("base", BOTH)
@pytest.mark.parametrize("raw,message", [
    (b"{not json", "invalid JSON body"),
    (b'{"to": "09171234567", "message": "hi",}', "invalid JSON body"),
    (b"", "invalid request body"),
    (b"[1, 2]", "invalid request body"),
    (b'"just a string"', "invalid request body"),
    (b'{"to": 9171234567, "message": "hi"}', "invalid request body: to must be a string"),
    (b'{"to": "09171234567", "message": ["hi"]}', "invalid request body: message must be a string"),
    (b'{"to": "09171234567", "message": "hi", "sender_id": 5}', "invalid request body: sender_id must be a string"),
    (b'{"to": "09171234567", "message": true}', "invalid request body: message must be a string"),
])
def test_malformed_bodies_on_send(client, base, raw, message):
    resp = client.post(f"{base}/sms/send", headers=h(**JSON), content=raw)
    assert resp.status_code == 400
    assert resp.json() == err(message, _code(base, "INVALID_REQUEST"))
    _nothing_stored(client)


@pytest.mark.parametrize("body,message", [
    ({"message": "hi"}, "to is required"),
    ({"to": None, "message": "hi"}, "to is required"),
    ({"to": "09171234567"}, "message is required"),
    ({"to": "09171234567", "message": None}, "message is required"),
    ({}, "to is required"),
])
def test_missing_and_null_fields(client, body, message):
    resp = client.post(f"{V1}/sms/send", headers=h(), json=body)
    assert (resp.status_code, resp.json()) == (400, err(message, "VALIDATION_ERROR"))
    _nothing_stored(client)


@pytest.mark.parametrize("raw,message", [
    (b'{"to": "09171234567", "message": "hi"}', "invalid request body: to must be an array"),
    (b'{"to": [9171234567], "message": "hi"}', "invalid request body: to must be a string"),
    (b'{"to": {"a": 1}, "message": "hi"}', "invalid request body: to must be an array"),
])
def test_wrong_types_on_bulk(client, raw, message):
    resp = client.post(f"{V1}/sms/bulk", headers=h(**JSON), content=raw)
    assert (resp.status_code, resp.json()) == (400, err(message, "INVALID_REQUEST"))
    _nothing_stored(client)


def test_body_without_content_type_is_still_read_as_json(client):
    """Cast (Go) decodes the body whatever Content-Type says; so does the sandbox when it is absent."""
    resp = client.post(f"{V1}/sms/send", headers=h(),
                       content=b'{"to": "09171234567", "message": "hi", "sender_id": "CAST"}')
    assert resp.status_code == 200
    assert resp.json()["parts"] == 1


@pytest.mark.parametrize("base", BOTH)
def test_oversized_body_is_413(client, base):
    raw = b'{"to": ["09171234567"], "message": "' + b"x" * (1024 * 1024) + b'"}'
    resp = client.post(f"{base}/sms/bulk", headers=h(**JSON), content=raw)
    assert resp.status_code == 413
    assert resp.json() == err("request body too large", _code(base, "INVALID_REQUEST"))
    _nothing_stored(client)


@pytest.mark.parametrize("path,code", [
    ("/cast/api/v1/nope", "NOT_FOUND"), ("/cast/api/v1/sms/sendx", "NOT_FOUND"), ("/cast/api/v2/sms/send", None),
    ("/cast/api/nope", None), ("/cast/whatever", None), ("/cast/api/v1", "NOT_FOUND"),
])
def test_unknown_paths_are_cast_404s(client, path, code):
    for method in ("GET", "POST", "DELETE"):
        resp = client.request(method, path, headers=h())
        assert resp.status_code == 404, (method, path)
        assert resp.json() == err("not found", code)


@pytest.mark.parametrize("method,path", [
    ("GET", "sms/send"), ("PUT", "sms/bulk"), ("DELETE", "otp/send"), ("POST", "account/balance"),
    ("POST", "sms/status/CAST0000000000000001"), ("PATCH", "sms/logs"),
])
@pytest.mark.parametrize("base", BOTH)
def test_wrong_methods_are_405(client, base, method, path):
    resp = client.request(method, f"{base}/{path}", headers=h())
    assert resp.status_code == 405
    assert resp.json() == err("method not allowed", _code(base, "METHOD_NOT_ALLOWED"))


@pytest.mark.parametrize("params,message", [
    ({"limit": "abc"}, "limit must be an integer"),
    ({"offset": "1.5"}, "offset must be an integer"),
    ({"status": "delivered"}, "status must be one of: scheduled, sent, failed"),
    ({"from": "yesterday"}, "invalid from date, expected YYYY-MM-DD"),
    ({"to": "2026-13-45"}, "invalid to date, expected YYYY-MM-DD"),
])
def test_bad_query_parameters(client, params, message):
    resp = client.get(f"{V1}/sms/logs", headers=h(), params=params)
    assert (resp.status_code, resp.json()) == (400, err(message, "VALIDATION_ERROR"))


def test_legacy_errors_never_carry_error_code(client):
    resp = client.post(f"{LEGACY}/sms/send", headers=h(), json={"to": "1", "message": "hi"})
    assert (resp.status_code, resp.json()) == (400, {"success": False, "error": "to must be 7-15 characters"})


def test_a_crash_still_answers_in_cast_shape(client, monkeypatch):
    """A bug inside the (group-committed) insert: Cast's 500 envelope, and nothing half-written."""
    from mockserver.core.store import messages

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")
    before = client.get("/_mock/messages").json()
    monkeypatch.setattr(messages, "insert_with_recipients", boom)
    resp = send_v1(client)
    assert (resp.status_code, resp.json()) == (500, err("internal server error", "INTERNAL_ERROR"))
    monkeypatch.undo()
    assert client.get("/_mock/messages").json() == before


def send_v1(client):
    return client.post(f"{V1}/sms/send", headers=h(), json={"to": "09171234567", "message": "x", "sender_id": "CAST"})
