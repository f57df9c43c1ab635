"""core/redact.py: what the request journal stores of a credential, whatever header, parameter or
field carries it (by name, never by vendor)."""

from __future__ import annotations

import base64
import json

from mockserver.core import redact
from mockserver.core.journal import Entry


def entry(headers: dict[str, str], query: str = "", body: bytes = b"", answer: bytes = b"") -> Entry:
    e = Entry("p", "POST", "/p/send", query.encode(), [(k.encode(), v.encode()) for k, v in headers.items()],
              "127.0.0.1", 0.0, 0.0, 0.0)
    e.add_body(body)
    e.add_answer(answer)
    return e


def test_basic_auth_parts_and_their_echo_are_masked():
    cred = base64.b64encode(b"basic_user_name_1:basic_password").decode()
    row = redact.row(entry({"Authorization": f"Basic {cred}"}, answer=b'{"error": "bad key basic_user_name_1"}'))
    headers = json.loads(row["headers"])
    assert headers["authorization"] == f"Basic {cred[:4]}…{cred[-4:]}"
    assert "basic_user_name_1" not in row["response_body"] and "basi…me_1" in row["response_body"]


def test_json_and_form_fields_named_like_secrets_are_masked_and_the_rest_kept_as_sent():
    body = b'{"apiKey":"abcdefghijklmnop1234","to":["0917"],"nested":{"client_secret":"zzzzzzzz9876"}}'
    row = redact.row(entry({"Content-Type": "application/json"}, body=body))
    assert json.loads(row["body"]) == {"apiKey": "abcd…1234", "to": ["0917"], "nested": {"client_secret": "…9876"}}
    plain = b'{"to":"0917","message":"hi"}'
    assert redact.row(entry({"Content-Type": "application/json"}, body=plain))["body"] == plain.decode()
    form = redact.row(entry({"Content-Type": "application/x-www-form-urlencoded"}, body=b"token=abcdefghijklmnop9999&to=1"))
    assert form["body"] == "token=abcd…9999&to=1"


def test_short_secrets_show_nothing_and_plain_headers_stay():
    row = redact.row(entry({"X-Api-Key": "short", "Idempotency-Key": "order-1", "Accept": "*/*"}, query="key=abc&page=2"))
    headers = json.loads(row["headers"])
    assert headers == {"x-api-key": "…", "idempotency-key": "order-1", "accept": "*/*"}
    assert row["query"] == "key=…&page=2"


def test_binary_body_is_base64_and_only_the_first_64_kib_kept():
    row = redact.row(entry({}, body=b"\xff" * (70 * 1024)))
    assert row["body_encoding"] == "base64" and row["body_size"] == 70 * 1024
    assert len(base64.b64decode(row["body"])) == 64 * 1024
