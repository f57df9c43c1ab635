"""The control API has its own body limit (read while streaming), answers deep JSON with a 422, and its
422 answers echo at most a short excerpt of the input."""

from __future__ import annotations

import json

from tests.hardening.test_body_limits import chunks


def test_an_oversized_control_body_is_413_while_streaming(app_factory):
    client = app_factory(control_max_body_bytes=4096)
    body = json.dumps({"provider": "cast", "name": "x" * 10_000}).encode()
    for content in (body, chunks(body, 1024)):
        resp = client.post("/_mock/accounts", content=content, headers={"Content-Type": "application/json"})
        assert resp.status_code == 413
        assert resp.json() == {"detail": "request body too large (limit 4096 bytes)"}
        assert resp.headers["connection"] == "close"
    names = [a["name"] for a in client.get("/_mock/accounts").json()]
    assert not any(n.startswith("xxx") for n in names)


def test_the_default_control_limit_is_one_mib(sandbox):
    resp = sandbox.post("/_mock/accounts", content=b" " * (1024 * 1024 + 1), headers={"Content-Type": "application/json"})
    assert resp.status_code == 413


def test_a_422_never_echoes_more_than_an_excerpt(sandbox):
    big = "y" * 500_000
    resp = sandbox.post("/_mock/accounts", json={"provider": ["not", "a", "string", big], "credits": big})
    assert resp.status_code == 422
    assert len(resp.content) < 2000
    detail = resp.json()["detail"]
    assert {tuple(d["loc"]) for d in detail} == {("body", "provider"), ("body", "credits")}
    for item in detail:
        assert len(json.dumps(item["input"])) < 200


def test_deep_json_on_the_control_api_is_a_422(sandbox):
    body = b'{"provider":' + b"[" * 3000 + b"]" * 3000 + b"}"
    resp = sandbox.post("/_mock/accounts", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["msg"] == "JSON nested deeper than 64 levels"


def test_a_lone_surrogate_in_a_422_input_does_not_break_the_answer(sandbox):
    body = b'{"provider": 5, "name": ["\\ud800"]}'
    resp = sandbox.post("/_mock/accounts", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 422
