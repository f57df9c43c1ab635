"""X-API-Key authentication: every documented 401/403 row, on legacy and v1 paths, plus
auto-provisioning, IP allow-lists (CIDR) and the Swagger security scheme."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import make_settings
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, LEGACY, V1, err, h

BODY = {"to": "09171234567", "message": "Hello", "sender_id": "CAST"}

AUTH_ROWS = [
    (None, 401, "missing X-API-Key header", "INVALID_API_KEY"),
    ("", 401, "missing X-API-Key header", "INVALID_API_KEY"),
    ("cast_" + "0" * 64, 401, "invalid api key", "INVALID_API_KEY"),
    ("cast_" + "a" * 63, 401, "invalid api key", "INVALID_API_KEY"),
    ("cast_" + "g" * 64, 401, "invalid api key", "INVALID_API_KEY"),
    ("Bearer " + kit.README, 401, "invalid api key", "INVALID_API_KEY"),
    (kit.REVOKED, 403, "api key is revoked", "API_KEY_REVOKED"),
    (kit.EXPIRED, 403, "api key has expired", "API_KEY_EXPIRED"),
    (kit.INACTIVE, 403, "user account is inactive", "USER_INACTIVE"),
    (kit.IP_10, 403, "ip not whitelisted", "IP_NOT_WHITELISTED"),
]


@pytest.mark.parametrize("base", BOTH)
@pytest.mark.parametrize("key,code,message,error_code", AUTH_ROWS)
def test_auth_errors_on_send(client, base, key, code, message, error_code):
    headers = {} if key is None else {"X-API-Key": key}
    resp = client.post(f"{base}/sms/send", headers=headers, json=BODY)
    assert resp.status_code == code
    assert resp.json() == err(message, error_code if base == V1 else None)
    assert resp.headers["content-type"] == "application/json"


@pytest.mark.parametrize("path", ["account/balance", "sms/logs", "sms/status/CAST0000000000000001",
                                  "account/profile", "account/sender-ids", "viber/status/x"])
def test_every_endpoint_requires_the_key(client, path):
    resp = client.get(f"{V1}/{path}")
    assert (resp.status_code, resp.json()) == (401, err("missing X-API-Key header", "INVALID_API_KEY"))


def test_missing_key_beats_malformed_json(client):
    """Cast checks the key before it reads the body."""
    resp = client.post(f"{LEGACY}/sms/send", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (resp.status_code, resp.json()) == (401, err("missing X-API-Key header"))


def test_lower_case_header_is_accepted(client):
    resp = client.post(f"{V1}/sms/send", headers={"x-api-key": kit.README}, json=BODY)
    assert resp.status_code == 200
    assert resp.json()["success"] is True


def test_unknown_well_formed_key_is_invalid_without_auto_provision(client):
    resp = client.get(f"{V1}/account/balance", headers=h("cast_" + "ab" * 32))
    assert (resp.status_code, resp.json()) == (401, err("invalid api key", "INVALID_API_KEY"))


def test_auto_provision_creates_a_funded_account_with_the_named_sender(client_factory):
    client = client_factory(auto_provision=True, auto_provision_credits=500)
    key = "cast_" + "ab" * 32
    resp = client.post(f"{V1}/sms/send", headers=h(key), json={**BODY, "sender_id": "MYBRAND"})
    assert resp.status_code == 200, resp.text
    assert kit.balance(client, key) == 499
    ids = client.get(f"{V1}/account/sender-ids", headers=h(key)).json()["sender_ids"]
    assert ids == [{"sender_id": "MYBRAND", "label": "auto-provisioned", "channel": "sms"}]
    other = "cast_" + "cd" * 32
    assert kit.logs(client, other) == []  # a second key gets its own, empty account
    assert len(kit.logs(client, key)) == 1


def test_auto_provision_without_sender_gets_cast(client_factory):
    client = client_factory(auto_provision=True)
    key = "cast_" + "ef" * 32
    resp = client.post(f"{V1}/sms/send", headers=h(key), json={"to": "09171234567", "message": "Hi"})
    assert resp.status_code == 200
    assert kit.logs(client, key)[0]["sender_id"] == "CAST"


def test_auto_provision_ignores_malformed_keys(client_factory):
    client = client_factory(auto_provision=True)
    resp = client.get(f"{V1}/account/balance", headers=h("cast_short"))
    assert (resp.status_code, resp.json()) == (401, err("invalid api key", "INVALID_API_KEY"))


def test_auto_provision_keeps_fixture_errors(client_factory):
    client = client_factory(auto_provision=True)
    resp = client.post(f"{V1}/sms/send", headers=h(kit.README), json={**BODY, "sender_id": "NOPE"})
    assert resp.status_code == 403
    assert resp.json()["error"] == "sender_id 'NOPE' is not allowed for this user"


@pytest.mark.parametrize("ip,key,code", [
    ("10.1.2.3", kit.IP_10, 200),
    ("10.255.255.254", kit.IP_10, 200),
    ("11.0.0.1", kit.IP_10, 403),
    ("192.168.1.5", kit.IP_10, 403),
    ("127.0.0.1", kit.IP_LOCAL, 200),
    ("::1", kit.IP_LOCAL, 200),
    ("127.0.0.2", kit.IP_LOCAL, 403),
])
def test_ip_allow_list_with_cidr(tmp_path, db_backend, ip, key, code):
    with TestClient(create_app(make_settings(tmp_path)), client=(ip, 40000)) as client:
        resp = client.get(f"{V1}/account/balance", headers=h(key))
    assert resp.status_code == code
    if code == 403:
        assert resp.json() == err("ip not whitelisted", "IP_NOT_WHITELISTED")
    else:
        assert resp.json() == {"success": True, "credits": 10000, "currency": "PHP"}


def test_swagger_has_the_api_key_scheme(client):
    spec = client.get("/cast/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": "Your Cast API key: `cast_` + 64 hex characters (sandbox keys: `cast_test_` + 64 hex).",
    }
    send = spec["paths"]["/api/v1/sms/send"]["post"]
    assert send["security"] == [{"APIKey": []}]
    assert "/api/sms/send" in spec["paths"]
    docs = client.get("/cast/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
