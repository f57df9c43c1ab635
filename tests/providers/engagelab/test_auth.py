"""HTTP Basic base64(dev_key:dev_secret): 2001 / 2002 / 2004 on both envelopes, and auto-provisioning."""

from __future__ import annotations

import base64

from tests.providers.engagelab.kit import BASE, CONFIG_KEY, DEV_SECRET, DISABLED_KEY, EXPIRED_KEY, basic, send, tpl

SEND = tpl("notification-template", order="1")


def assert_send_error(resp, status: int, code: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"plan_id", "total_count", "accepted_count", "message", "code"}
    assert body["code"] == code and body["accepted_count"] == 0 and body["plan_id"].isdigit()
    return body


def test_valid_credentials_send(client):
    resp = send(client, SEND)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"plan_id", "total_count", "accepted_count", "message_id"}
    assert (body["total_count"], body["accepted_count"]) == (1, 1)
    assert body["plan_id"].isdigit() and body["message_id"]


def test_missing_header_is_2001(client):
    body = assert_send_error(send(client, SEND, headers={}), 401, 2001)
    assert "Authorization" in body["message"]


def test_wrong_secret_is_2001(client):
    assert_send_error(send(client, SEND, headers=basic(secret="nope")), 401, 2001)


def test_unknown_key_is_2001(client):
    assert_send_error(send(client, SEND, headers=basic("unknown_key", DEV_SECRET)), 401, 2001)


def test_malformed_headers_are_2001(client):
    for header in ("Bearer abc", "Basic", "Basic !!!notbase64", "Basic " + base64.b64encode(b"nocolon").decode()):
        assert_send_error(send(client, SEND, headers={"Authorization": header}), 401, 2001)


def test_disabled_key_is_2002(client):
    body = assert_send_error(send(client, SEND, headers=basic(DISABLED_KEY)), 401, 2002)
    assert "disabled" in body["message"]


def test_expired_key_is_2002(client):
    body = assert_send_error(send(client, SEND, headers=basic(EXPIRED_KEY)), 401, 2002)
    assert "expired" in body["message"]


def test_key_without_send_scope_is_2004_but_manages_templates(client):
    headers = basic(CONFIG_KEY)
    assert_send_error(send(client, SEND, headers=headers), 403, 2004)
    assert client.get(f"{BASE}/v1/template-configs", headers=headers).status_code == 200
    assert client.get(f"{BASE}/v1/sign-configs", headers=headers).status_code == 200


def test_config_api_auth_errors_use_config_envelope(client):
    resp = client.get(f"{BASE}/v1/template-configs", headers=basic(secret="bad"))
    assert resp.status_code == 401
    assert resp.json() == {"code": 2001, "message": "Authentication failed, incorrect token provided"}
    resp = client.get(f"{BASE}/v1/sign-configs", headers=basic(EXPIRED_KEY))
    assert resp.status_code == 401 and resp.json()["code"] == 2002


def test_auth_is_checked_before_the_body(client):
    resp = client.post(f"{BASE}/v1/messages", content=b"{not json", headers=basic(secret="bad"))
    assert_send_error(resp, 401, 2001)


def test_auto_provision_creates_account_with_seed_templates(client_factory):
    client = client_factory(auto_provision=True)
    headers = basic("brand_new_key", "brand-new-secret")
    resp = send(client, tpl(1233, to=["923700056581"], content="hi"), headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["accepted_count"] == 1
    ids = {t["template_id"] for t in client.get(f"{BASE}/v1/template-configs", headers=headers).json()}
    assert {"1233", "notification-template", "marketing-template", "otp-template"} <= ids
    assert not {"pending-template", "rejected-template"} & ids
    # The same key now exists: another secret is refused, and its catalog is not copied twice.
    assert_send_error(send(client, SEND, headers=basic("brand_new_key", "other-secret")), 401, 2001)
    send(client, SEND, headers=headers)
    again = client.get(f"{BASE}/v1/template-configs", headers=headers).json()
    assert len(again) == len(ids)


def test_auto_provision_refuses_malformed_credentials(client_factory):
    client = client_factory(auto_provision=True)
    assert_send_error(send(client, SEND, headers=basic("a b", "secret-1")), 401, 2001)
    assert_send_error(send(client, SEND, headers=basic("okay_key", "")), 401, 2001)


def test_control_api_account_gets_working_credentials(client):
    resp = client.post("/_mock/accounts", json={"provider": "engagelab", "id": "engagelab-ci"})
    assert resp.status_code == 201, resp.text
    creds = resp.json()["credentials"]
    assert len(creds["dev_key"]) == 24 and len(creds["dev_secret"]) == 32
    assert creds["authorization"] == basic(creds["dev_key"], creds["dev_secret"])["Authorization"]
    headers = {"Authorization": creds["authorization"]}
    sent = send(client, tpl("marketing-template", name="EngageLab", promotion="30%"), headers=headers)
    assert sent.status_code == 200 and sent.json()["accepted_count"] == 1
    assert client.get("/_mock/accounts/engagelab-ci").json()["credits"] == 1_000_000 - 1
