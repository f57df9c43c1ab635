"""Authorization: Bearer on every request (401), servicePlanId ownership (403), message isolation (404),
auto-provision and make_credentials."""

from __future__ import annotations


import pytest

from tests.providers.smscpr.kit import (AUTH, EXPIRED_TOKEN, OTHER_ACCOUNT, OTHER_AUTH, OTHER_PLAN, PLAN, REVOKED_TOKEN, TOKEN,
                                       account, body, send)

ENDPOINTS = [("POST", "/smscpr/v1/sendsms"), ("POST", "/smscpr/messages/sms"), ("GET", "/smscpr/v1/messages/sms"),
             ("GET", "/smscpr/v1/messages/sms/0190aaaa-0000-7000-8000-000000000000")]


def _call(client, method: str, path: str, headers: dict):
    if method == "POST":
        return client.post(path, json=body(), headers=headers)
    return client.get(path, headers=headers)


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_missing_authorization_is_401_on_every_endpoint(client, method, path):
    resp = _call(client, method, path, {})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == 'Bearer realm="smscpr"'
    assert resp.json() == {"errorCode": "UNAUTHORIZED", "details": [],
                           "errorMessage": "missing Authorization header; send Authorization: Bearer <token>"}


@pytest.mark.parametrize("header, message", [
    ("Basic c21zY3ByOnNlY3JldA==", "malformed Authorization header; expected Bearer <token>"),
    ("Bearer", "malformed Authorization header; expected Bearer <token>"),
    ("Bearer    ", "malformed Authorization header; expected Bearer <token>"),
    (TOKEN, "malformed Authorization header; expected Bearer <token>"),
    ("Bearer short", "malformed bearer token"),
    ("Bearer has spaces in the token value", "malformed bearer token"),
    ("Bearer <token>", "malformed bearer token"),
])
def test_malformed_authorization_is_401(client, header, message):
    resp = send(client, headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.json()["errorMessage"] == message


@pytest.mark.parametrize("token, message", [
    ("smscpr_unknown_token_000000000000000000000000", "invalid bearer token"),
    (REVOKED_TOKEN, "bearer token is revoked"),
    (EXPIRED_TOKEN, "bearer token has expired"),
])
def test_unusable_tokens_are_401_invalid_token(client, token, message):
    resp = client.get("/smscpr/v1/messages/sms", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == 'Bearer realm="smscpr", error="invalid_token"'
    assert resp.json() == {"errorCode": "UNAUTHORIZED", "errorMessage": message, "details": []}


def test_scheme_is_case_insensitive(client):
    token = AUTH["Authorization"].split()[1]
    assert send(client, headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_auth_is_checked_before_the_body(client):
    resp = client.post("/smscpr/v1/sendsms", content=b"{not json", headers={"Content-Type": "text/plain"})
    assert resp.status_code == 401


@pytest.mark.parametrize("plan", [OTHER_PLAN, "999999999999999999999999"])
def test_service_plan_of_another_account_or_unknown_is_403(client, plan):
    resp = send(client, servicePlanId=plan)
    assert resp.status_code == 403
    assert resp.json() == {"errorCode": "FORBIDDEN", "details": [],
                           "errorMessage": f"servicePlanId {plan} is not a service plan of this token's account"}
    assert client.get("/smscpr/v1/messages/sms", headers=AUTH).json()["results"] == []


def test_message_of_another_account_is_404(client):
    msg_id = send(client).json()["msgId"]
    resp = client.get(f"/smscpr/v1/messages/sms/{msg_id}", headers=OTHER_AUTH)
    assert resp.status_code == 404
    assert resp.json() == {"errorCode": "NOT_FOUND", "errorMessage": f"message {msg_id} not found", "details": []}
    assert client.get("/smscpr/v1/messages/sms", headers=OTHER_AUTH).json()["results"] == []


def test_disabled_account_is_403(client):
    assert client.patch(f"/_mock/accounts/{OTHER_ACCOUNT}", json={"is_active": False}).status_code == 200
    resp = client.get("/smscpr/v1/messages/sms", headers=OTHER_AUTH)
    assert resp.status_code == 403
    assert resp.json()["errorMessage"] == "account is disabled"


def test_auto_provision_creates_an_account_and_claims_the_plan(client_factory):
    client = client_factory(auto_provision=True)
    token = "my_ci_token_0123456789abcdef"
    headers = {"Authorization": f"Bearer {token}"}
    first = send(client, headers=headers, servicePlanId="abcdefabcdefabcdefabcdef")
    assert first.status_code == 200, first.text
    account_id = first.json()["accountId"]
    assert len(account_id) == 24 and account_id != "111111111111111111111111"
    # A second plan is claimed as well; the fixture account's plan stays its own.
    assert send(client, headers=headers, servicePlanId="plan-two").status_code == 200
    assert send(client, headers=headers, servicePlanId=PLAN).status_code == 403
    assert account(client, account_id)["extra"]["servicePlanIds"] == ["abcdefabcdefabcdefabcdef", "plan-two"]
    # Another fresh token cannot take that plan, and sees none of the first token's messages.
    other = {"Authorization": "Bearer another_ci_token_0123456789"}
    assert send(client, headers=other, servicePlanId="abcdefabcdefabcdefabcdef").status_code == 403
    assert client.get("/smscpr/v1/messages/sms", headers=other).json()["results"] == []
    assert len(client.get("/smscpr/v1/messages/sms", headers=headers).json()["results"]) == 2


def test_auto_provision_still_refuses_malformed_tokens(client_factory):
    client = client_factory(auto_provision=True)
    assert send(client, headers={"Authorization": "Bearer short"}).status_code == 401


def test_make_credentials_gives_a_working_token_and_plan(client):
    created = client.post("/_mock/accounts", json={"provider": "smscpr", "id": "cafe00000000000000000001"})
    assert created.status_code == 201, created.text
    creds = created.json()["credentials"]
    assert creds["token"].startswith("smscpr_") and len(creds["token"]) == 47
    assert creds["authorization"] == f"Bearer {creds['token']}"
    assert creds["accountId"] == "cafe00000000000000000001" and len(creds["servicePlanId"]) == 24
    resp = send(client, headers={"Authorization": creds["authorization"]}, servicePlanId=creds["servicePlanId"])
    assert resp.status_code == 200
    assert resp.json()["accountId"] == "cafe00000000000000000001"
    assert send(client, headers={"Authorization": creds["authorization"]}).status_code == 403  # plan 222... isn't its


def test_make_credentials_keeps_the_plans_an_account_already_has(client):
    old_plan = "beef00000000000000000001"
    created = client.post("/_mock/accounts", json={"provider": "smscpr", "id": "cafe00000000000000000002",
                                                   "extra": {"servicePlanIds": [old_plan]}})
    assert created.status_code == 201, created.text
    creds = created.json()["credentials"]
    assert account(client, "cafe00000000000000000002")["extra"]["servicePlanIds"] == [old_plan, creds["servicePlanId"]]
    # The new token reaches both plans of the account.
    new = {"Authorization": creds["authorization"]}
    assert send(client, headers=new, servicePlanId=old_plan).status_code == 200
    assert send(client, headers=new, servicePlanId=creds["servicePlanId"]).status_code == 200
