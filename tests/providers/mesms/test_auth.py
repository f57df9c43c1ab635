"""x-api-key auth: 401 without or with a wrong key, 403 for a key without the send scope, 429 rate
limit (switchable off), auto-provision and control-API credentials."""

from __future__ import annotations

from tests.providers.mesms.kit import BASE, H, READONLY, error, send


def test_missing_key_is_401(client):
    body = error(client.get(f"{BASE}/credits"), 401, "UNAUTHORIZED")
    assert "x-api-key" in body["error"]


def test_wrong_key_is_401(client):
    error(client.get(f"{BASE}/credits", headers={"x-api-key": "nope"}), 401, "UNAUTHORIZED")
    error(send(client, key="wrong-key-0123456789"), 401, "UNAUTHORIZED")


def test_read_only_key_reads_but_cannot_send(client):
    assert client.get(f"{BASE}/credits", headers={"x-api-key": READONLY}).status_code == 200
    assert client.get(f"{BASE}/senders", headers={"x-api-key": READONLY}).status_code == 200
    body = error(send(client, key=READONLY), 403, "FORBIDDEN")
    assert "sms:send" in body["error"]


def test_read_only_key_may_preview(client):
    resp = client.post(f"{BASE}/sms/preview", headers={"x-api-key": READONLY},
                       json={"content": "hi", "msisdns": ["66812345678"]})
    assert resp.status_code == 200


def test_rate_limit_answers_429_with_retry_after(client_factory):
    client = client_factory(provider_settings={"mesms": {"rate_limit_burst": 3, "rate_limit_per_second": 1}})
    codes = [client.get(f"{BASE}/credits", headers=H).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = client.get(f"{BASE}/credits", headers=H)
    error(resp, 429, "RATE_LIMITED")
    assert resp.headers["retry-after"] == "1"
    client.post("/_mock/clock/advance", json={"seconds": 2})
    assert client.get(f"{BASE}/credits", headers=H).status_code == 200


def test_rate_limit_can_be_switched_off(client_factory):
    client = client_factory(rate_limit_enabled=False, provider_settings={"mesms": {"rate_limit_burst": 2}})
    assert {client.get(f"{BASE}/credits", headers=H).status_code for _ in range(6)} == {200}


def test_auto_provision_funds_a_new_key_and_approves_the_named_sender(client_factory):
    client = client_factory(auto_provision=True, auto_provision_credits=500)
    key = "brand-new-key-000000000001"
    assert client.get(f"{BASE}/credits", headers={"x-api-key": key}).json() == {"credits": 500}
    resp = send(client, key=key, sender="ACME")
    assert resp.status_code == 200, resp.text
    names = {s["name"]: s["status"] for s in client.get(f"{BASE}/senders", headers={"x-api-key": key}).json()["data"]}
    assert names == {"MeSMS": "approved", "ACME": "approved"}


def test_auto_provision_ignores_malformed_keys_and_is_off_by_default(client_factory, client):
    error(client.get(f"{BASE}/credits", headers={"x-api-key": "brand-new-key-000000000001"}), 401, "UNAUTHORIZED")
    auto = client_factory(auto_provision=True)
    error(auto.get(f"{BASE}/credits", headers={"x-api-key": "short"}), 401, "UNAUTHORIZED")


def test_fixture_sender_rules_still_apply_to_fixture_accounts(client):
    error(send(client, sender="ACME"), 400, "SENDER_NOT_FOUND")


def test_control_api_account_gets_working_credentials(client):
    resp = client.post("/_mock/accounts", json={"provider": "mesms", "credits": 50})
    assert resp.status_code == 201, resp.text
    creds = resp.json()["credentials"]
    assert creds["header"] == "x-api-key" and creds["api_key"].startswith("mesms_")
    headers = {"x-api-key": creds["api_key"]}
    assert client.get(f"{BASE}/credits", headers=headers).json() == {"credits": 50}
    assert send(client, key=creds["api_key"], sender=creds["sender"]).status_code == 200


def test_swagger_ui_and_security_scheme(client):
    assert client.get("/mesms/docs").status_code == 200
    spec = client.get("/mesms/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s == {"type": "apiKey", "in": "header", "name": "x-api-key",
                     "description": s.get("description")} for s in schemes.values())
    send_op = spec["paths"]["/api/v2/sms/send"]["post"]
    assert send_op["requestBody"]["content"]["application/json"]["schema"]["properties"]["msisdns"]
    assert "DESIGNED" in spec["paths"]["/api/v2/sms/{uuid}/cancel"]["post"]["description"]
