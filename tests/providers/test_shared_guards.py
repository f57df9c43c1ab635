"""Guards every provider shares (providers/http.py): text that cannot be stored is refused in the
vendor's own error shape, and nothing is stored."""

from __future__ import annotations

import base64
import tomllib
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def first_key(provider: str) -> dict:
    data = tomllib.loads((FIXTURES / f"{provider}.toml").read_text())
    return data["accounts"][0]["keys"][0]


def _smscpr() -> tuple[str, dict, str, str]:
    token = first_key("smscpr")["key"]
    body = ('{"servicePlanId":"222222222222222222222222","channel":"SMS","from":"+15550001111",'
            '"to":"+15550002222","body":"code \\ud800"}')
    return "/smscpr/v1/sendsms", {"Authorization": f"Bearer {token}"}, body, "errorCode"


def _engagelab() -> tuple[str, dict, str, str]:
    key = first_key("engagelab")
    basic = base64.b64encode(f"{key['key']}:{key['secret']}".encode()).decode()
    body = '{"to":["923700056581"],"template":{"id":1233,"params":{"content":"code \\uDC00 end"}}}'
    return "/engagelab/v1/messages", {"Authorization": f"Basic {basic}"}, body, "code"


CASES = {
    "cast": lambda: ("/cast/api/sms/send", {"X-API-Key": first_key("cast")["key"]},
                     '{"to":"09171234567","message":"code \\ud83d","sender_id":"CAST"}', "error"),
    "mesms": lambda: ("/mesms/api/v2/sms/send", {"x-api-key": first_key("mesms")["key"]},
                      '{"sender":"MeSMS","content":"x \\ud800","msisdns":["0812345678"]}', "error"),
    "smscpr": _smscpr,
    "engagelab": _engagelab,
}


@pytest.mark.parametrize("provider", sorted(CASES))
def test_lone_surrogate_is_a_vendor_shaped_400_and_stores_nothing(client, provider):
    path, headers, body, error_field = CASES[provider]()
    resp = client.post(path, content=body.encode(), headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert error_field in resp.json()
    assert client.get("/_mock/messages", params={"provider": provider}).json()["items"] == []


def test_a_valid_surrogate_pair_still_sends(client):
    path, headers, _, _ = CASES["cast"]()
    body = '{"to":"09171234567","message":"smile \\ud83d\\ude00","sender_id":"CAST"}'
    resp = client.post(path, content=body.encode(), headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["success"] is True


@pytest.mark.parametrize("provider", sorted(CASES))
def test_a_path_holding_a_newline_gets_the_vendors_404(client, provider):
    """Starlette's mount pattern stopped at %0A, so such paths skipped the provider (FastAPI's bare 404)."""
    plain = client.get(f"/{provider}/no-such")
    newline = client.get(f"/{provider}/no%0Asuch")
    assert plain.status_code == newline.status_code == 404
    assert newline.json().keys() == plain.json().keys() and newline.json() != {"detail": "Not Found"}


def test_a_newline_inside_a_path_parameter_reaches_the_route(client):
    headers = {"X-API-Key": first_key("cast")["key"]}
    resp = client.get("/cast/api/sms/status/ab%0Acd", headers=headers)
    assert (resp.status_code, resp.json()) == (404, {"success": False, "error": "message not found"})


def test_a_lone_surrogate_next_to_a_valid_pair_is_still_refused(client):
    path, headers, _, _ = CASES["cast"]()
    body = '{"to":"09171234567","message":"\\ud83d\\ude00 then \\udc00","sender_id":"CAST"}'
    resp = client.post(path, content=body.encode(), headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["success"] is False


@pytest.mark.parametrize("provider", sorted(CASES))
def test_swagger_never_promises_fastapis_422_shape(client, provider):
    """Validation errors come back in the vendor's own shape and status, so the docs must say so."""
    spec = client.get(f"/{provider}/openapi.json").json()
    assert "HTTPValidationError" not in str(spec)
    assert spec["paths"]  # the operations are all still there
