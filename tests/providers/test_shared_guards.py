"""Guards every provider shares (providers/http.py): text that cannot be stored is refused in the
vendor's own error shape, and nothing is stored."""

from __future__ import annotations

import pytest

from tests.vendors import VENDORS

CAST = VENDORS["cast"]
#: A text holding a lone surrogate (an escape JSON allows, which no stored text can hold).
LONE = "code \\ud800 end"


def _with_lone_surrogate(vendor) -> bytes:
    """The vendor's valid send body, its text swapped for one holding a lone surrogate."""
    return vendor.raw_body(text="@TEXT@").replace(b"@TEXT@", LONE.encode())


@pytest.mark.parametrize("vendor", VENDORS.values(), ids=list(VENDORS))
def test_lone_surrogate_is_a_vendor_shaped_400_and_stores_nothing(client, vendor):
    resp = client.post(vendor.url, content=_with_lone_surrogate(vendor),
                       headers={**vendor.headers, "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert set(resp.json()) == vendor.envelope
    assert client.get("/_mock/messages", params={"provider": vendor.name}).json()["items"] == []


def test_a_valid_surrogate_pair_still_sends(client):
    body = '{"to":"09171234567","message":"smile \\ud83d\\ude00","sender_id":"CAST"}'
    resp = client.post(CAST.url, content=body.encode(), headers={**CAST.headers, "Content-Type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["success"] is True


@pytest.mark.parametrize("provider", list(VENDORS))
def test_a_path_holding_a_newline_gets_the_vendors_404(client, provider):
    """Starlette's mount pattern stopped at %0A, so such paths skipped the provider (FastAPI's bare 404)."""
    plain = client.get(f"/{provider}/no-such")
    newline = client.get(f"/{provider}/no%0Asuch")
    assert plain.status_code == newline.status_code == 404
    assert newline.json().keys() == plain.json().keys() and newline.json() != {"detail": "Not Found"}


def test_a_newline_inside_a_path_parameter_reaches_the_route(client):
    resp = client.get("/cast/api/sms/status/ab%0Acd", headers=CAST.headers)
    assert (resp.status_code, resp.json()) == (404, {"success": False, "error": "message not found"})


def test_a_lone_surrogate_next_to_a_valid_pair_is_still_refused(client):
    body = '{"to":"09171234567","message":"\\ud83d\\ude00 then \\udc00","sender_id":"CAST"}'
    resp = client.post(CAST.url, content=body.encode(), headers={**CAST.headers, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["success"] is False


@pytest.mark.parametrize("provider", list(VENDORS))
def test_swagger_never_promises_fastapis_422_shape(client, provider):
    """Validation errors come back in the vendor's own shape and status, so the docs must say so."""
    spec = client.get(f"/{provider}/openapi.json").json()
    assert "HTTPValidationError" not in str(spec)
    assert spec["paths"]  # the operations are all still there
