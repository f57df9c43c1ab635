"""Big send bodies are parsed window by window (providers/mesms/slices.py, so a 2M-number body never holds
the GIL for long): every answer, refusal included, is the one a whole-body parse gives. The windows are
made tiny here so a few numbers cross many of them."""

from __future__ import annotations

import pytest

from mockserver.providers.mesms import slices
from tests.providers.mesms.kit import BASE, KEY

NUMBERS = [f"0812{i:06d}" for i in range(30)] + ["66812000003", "+66812000004", "12345", "abc", "0812000005"]
BODIES = {
    "compact": '{"sender": "MeSMS", "content": "Hello", "msisdns": [%s]}' % ",".join(f'"{n}"' for n in NUMBERS),
    "spaced": '{ "msisdns" : [ %s ] , "sender":"MeSMS","content":"Hello" }' % " ,  ".join(f'"{n}"' for n in NUMBERS),
    "escaped content": '{"sender": "MeSMS", "content": "line\\nbreak", "msisdns": ["0812000001", "0812000002"]}',
    "key as a value": '{"sender": "MeSMS", "content": "msisdns", "msisdns": ["0812000001"]}',
    "nested key only": '{"sender": "MeSMS", "content": "Hi {{a}}", "variables": {"msisdns": ["0812000001"]}}',
    "empty array": '{"sender": "MeSMS", "content": "Hello", "msisdns": [ ]}',
    "trailing comma": '{"sender": "MeSMS", "content": "Hello", "msisdns": ["0812000001", "0812000002",]}',
    "number item": '{"sender": "MeSMS", "content": "Hello", "msisdns": ["0812000001", 812000002, "0812000003"]}',
    "bracket in item": '{"sender": "MeSMS", "content": "Hello", "msisdns": ["08]2000001", "0812000002"]}',
    "two keys": '{"sender": "MeSMS", "content": "Hello", "msisdns": ["0812000001"], "msisdns": ["0812000002"]}',
    "unclosed": '{"sender": "MeSMS", "content": "Hello", "msisdns": ["0812000001", "0812000002"',
}


def _answer(client, raw: str) -> tuple[int, dict]:
    resp = client.post(f"{BASE}/sms/send", content=raw.encode(),
                       headers={"x-api-key": KEY, "content-type": "application/json"})
    body = resp.json()
    for key in ("uuid", "createdAt"):
        body.pop(key, None)
    return resp.status_code, body


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_body_parsed_in_windows_answers_as_a_whole_parse(client, monkeypatch, name):
    monkeypatch.setattr(slices, "MIN_BYTES", 1 << 30)  # the whole-body parse: the reference answer
    whole = _answer(client, BODIES[name])
    monkeypatch.setattr(slices, "MIN_BYTES", 16)
    monkeypatch.setattr(slices, "WINDOW", 24)  # ~2 numbers per window
    monkeypatch.setattr(slices, "SCAN", 7)  # scans cross their own boundaries too
    assert _answer(client, BODIES[name]) == whole


def test_the_window_parse_is_taken_for_a_plain_big_body(monkeypatch):
    monkeypatch.setattr(slices, "MIN_BYTES", 16)
    monkeypatch.setattr(slices, "WINDOW", 24)
    calls: list[bytes] = []
    real = slices.orjson.loads
    monkeypatch.setattr(slices.orjson, "loads", lambda b: calls.append(b) or real(b))
    assert slices.loads(BODIES["compact"].encode())["msisdns"] == NUMBERS
    assert len(calls) > len(NUMBERS) // 3  # many small windows, not one whole-body parse
    assert all(len(c) < 64 for c in calls)
