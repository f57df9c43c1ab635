"""Inputs that were 500s with a traceback (issue 24, finding 9): NaN/Infinity in control bodies get a
422, a non-ASCII Basic header at EngageLab gets its own 2001 authentication error."""

from __future__ import annotations

import base64

import pytest


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_clock_advance_refuses_non_finite_seconds(sandbox, literal):
    before = sandbox.get("/_mock/clock").json()["now"]
    resp = sandbox.post("/_mock/clock/advance", content=b'{"seconds": ' + literal + b"}",
                        headers={"Content-Type": "application/json"})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["body", "seconds"]
    assert sandbox.get("/_mock/clock").json()["now"] == before


@pytest.mark.parametrize("field", ["probability", "dlr_delay_s", "hang_s"])
@pytest.mark.parametrize("literal", [b"NaN", b"Infinity"])
def test_fault_rules_refuse_non_finite_numbers(sandbox, field, literal):
    body = b'{"provider": "cast", "%s": %s}' % (field.encode(), literal)
    resp = sandbox.post("/_mock/faults", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 422, resp.text
    listed = sandbox.get("/_mock/faults")
    assert listed.status_code == 200 and "cast" not in listed.text  # nothing stored, the list still renders


NON_ASCII_KEY = "Basic " + base64.b64encode("k\u00e9y:s\u00e9c".encode("latin-1")).decode()


@pytest.mark.parametrize("raw", ["Basic \u00e9\u00e9\u00e9", NON_ASCII_KEY, "B\u00e4sic abc"])
def test_a_non_ascii_basic_header_is_engagelabs_auth_error(sandbox, raw):
    resp = sandbox.post("/engagelab/v1/messages", content=b"{}", headers=[
        (b"content-type", b"application/json"), (b"authorization", raw.encode("latin-1"))])
    assert resp.status_code == 401 and resp.json()["code"] == 2001
