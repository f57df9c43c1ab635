"""Swagger UI at /smscpr/docs and its OpenAPI: Bearer scheme, the seed's examples, DESIGNED markers."""

from __future__ import annotations

import json

from tests.providers.smscpr.kit import SEED_DLR, SEED_MO, SEED_SEND_BODY, TOKEN


def test_swagger_ui_is_served(client):
    resp = client.get("/smscpr/docs")
    assert resp.status_code == 200
    assert "swagger-ui" in resp.text and "/smscpr/openapi.json" in resp.text


def test_openapi_has_bearer_scheme_and_the_vendor_paths(client):
    spec = client.get("/smscpr/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "Bearer token. Sandbox fixture token: see the API description."}
    assert spec["servers"] == [{"url": "/smscpr"}]  # Try-it calls the mounted sandbox
    ops = {(path, method): op for path, item in spec["paths"].items() for method, op in item.items()}
    assert set(ops) == {("/v1/sendsms", "post"), ("/messages/sms", "post"), ("/v1/messages/sms", "get"),
                        ("/v1/messages/sms/{msgId}", "get")}
    for op in ops.values():
        assert op["security"] == [{"bearerAuth": []}]
        assert "DESIGNED" in op["description"]
    assert TOKEN in spec["info"]["description"]


def test_request_and_webhook_examples_are_the_seeds(client):
    spec = client.get("/smscpr/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["SendSmsRequest"]["examples"] == [json.loads(SEED_SEND_BODY)]
    assert schemas["DeliveryReceipt"]["examples"] == [SEED_DLR]
    assert schemas["InboundSms"]["examples"] == [SEED_MO]
    assert set(spec["webhooks"]) == {"deliveryReceipt", "inboundSms"}
    designed = [name for name, prop in schemas["DeliveryReceipt"]["properties"].items()
                if "DESIGNED" in prop.get("description", "")]
    assert designed == ["status", "errorCode", "callbackUrl", "parts", "createdAt", "doneAt", "price", "ptf", "mccmnc"]


def test_try_it_request_works_with_the_fixture_token(client):
    """What Swagger's Try-it sends for the example body after Authorize with the README token."""
    spec = client.get("/smscpr/openapi.json").json()
    example = spec["components"]["schemas"]["SendSmsRequest"]["examples"][0]
    resp = client.post("/smscpr/v1/sendsms", json=example, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200 and resp.json()["status"] == "QUEUED"


def test_index_lists_smscpr_with_its_tokens(client):
    page = client.get("/credentials").text  # the index moved one click away from the inbox at /
    assert "/smscpr/docs" in page and TOKEN in page and "https://api-sms.smscpr.com" in page
