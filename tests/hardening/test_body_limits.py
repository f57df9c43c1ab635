"""Body limits hold while reading (declared, chunked and streamed bodies alike), in each mount's own
error shape, and nothing is stored; deep JSON is the vendor's validation error, never a 500."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.hardening.kit import send_case
from tests.vendors import VENDORS


def padded(body: bytes, total: int) -> bytes:
    """A still-valid JSON send of `total` bytes (whitespace after the object is legal JSON)."""
    return body + b" " * (total - len(body))


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def stored(client, provider: str) -> list:
    return client.get("/_mock/messages", params={"provider": provider}).json()["items"]


LIMITS = {v.name: v.body_limit for v in VENDORS.values() if v.body_limit}  # the vendors that publish a limit


@pytest.mark.parametrize("provider", sorted(LIMITS))
@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_valid_send_is_the_vendors_413_and_stores_nothing(sandbox, provider, streamed):
    path, headers, body, error_field = send_case(provider)
    big = padded(body, 2 * LIMITS[provider])
    content = chunks(big) if streamed else big
    resp = sandbox.post(path, content=content, headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 413, resp.text
    assert error_field in resp.json()
    assert resp.headers["connection"] == "close"
    assert stored(sandbox, provider) == []


@pytest.mark.parametrize("provider", sorted(LIMITS))
def test_a_send_just_under_the_limit_still_goes_through(sandbox, provider):
    path, headers, body, _ = send_case(provider)
    resp = sandbox.post(path, content=chunks(padded(body, LIMITS[provider] - 16)),
                        headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code in (200, 201, 202), resp.text
    assert len(stored(sandbox, provider)) == 1


@pytest.mark.parametrize("provider", sorted(set(VENDORS) - set(LIMITS)))
def test_the_global_limit_applies_to_chunked_bodies(app_factory, provider):
    client = app_factory(max_body_bytes=8 * 1024)
    path, headers, body, error_field = send_case(provider)
    resp = client.post(path, content=chunks(padded(body, 20 * 1024), 1024),
                       headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 413, resp.text
    assert error_field in resp.json()
    assert stored(client, provider) == []


def deep(depth: int) -> bytes:
    return b'{"to":' + b"[" * depth + b"]" * depth + b"}"


DEEP_TARGETS = [(p, None) for p in VENDORS] + [("engagelab", "/engagelab/v1/template-configs"),
                                                     ("engagelab", "/engagelab/v1/sign-configs")]


@pytest.mark.parametrize("provider,path", DEEP_TARGETS)
@pytest.mark.parametrize("surrogate", [False, True])
def test_deeply_nested_json_is_the_vendors_validation_error(sandbox, provider, path, surrogate):
    send_path, headers, _, error_field = send_case(provider)
    body = deep(2000)
    if surrogate:
        body = body[:-1] + b',"x":"\\ud800"}'
    resp = sandbox.post(path or send_path, content=body, headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert error_field in resp.json()
    assert stored(sandbox, provider) == []


def test_nesting_within_the_limit_reaches_the_route(sandbox):
    """Depth 10 is not refused by the guard: the route's own validation answers (about `to`)."""
    path, headers, _, _ = send_case("cast")
    resp = sandbox.post(path, content=deep(10), headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert "nested deeper" not in resp.text


def test_the_depth_limit_is_configurable(app_factory):
    """Limit 4: depth 3 reaches Cast's route (which complains about `to`), depth 6 is refused as bad JSON."""
    client = app_factory(max_json_depth=4)
    path, headers, _, _ = send_case("cast")
    answers = [client.post(path, content=deep(d), headers={**headers, "Content-Type": "application/json"})
               for d in (3, 6)]
    assert [a.status_code for a in answers] == [400, 400]
    assert [a.json()["error"] for a in answers] == ["invalid request body: to must be a string", "invalid JSON body"]


def test_a_deep_lone_surrogate_is_found_without_recursion():
    from mockserver.providers.http import _first_unencodable

    value: object = "\ud800"
    for _ in range(50_000):
        value = [value]
    assert _first_unencodable({"a": ["ok", value]}) == ("a", 1) + (0,) * 50_000
    assert _first_unencodable({"a": ["ok", {"k": "fine"}]}) is None


def test_the_depth_scan_ignores_brackets_inside_strings():
    from mockserver.limits import json_too_deep

    text = b'{"message": "' + b"[{" * 500 + b'\\"[[[", "to": ["a", "b"]}'
    assert not json_too_deep(text, 64)
    assert not json_too_deep(b'[' + b'{"a": [1, 2]},' * 10_000 + b'{}]', 64)  # wide, not deep
    assert json_too_deep(b"[" * 65 + b"]" * 65, 64) and not json_too_deep(b"[" * 64 + b"]" * 64, 64)
    assert json_too_deep(b"[" * 2000, 64)  # unbalanced and deep: the parser would recurse anyway
    assert not json_too_deep(b"[}", 64)  # unbalanced but shallow: the route's parser answers
    assert not json_too_deep(b"a=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 4)  # not JSON
