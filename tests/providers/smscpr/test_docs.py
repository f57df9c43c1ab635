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
    [example] = schemas["SendSmsRequest"]["examples"]
    seed = json.loads(SEED_SEND_BODY)
    # Every field is the seed's but callbackUrl: Try-it must post its receipts to a bin on this server,
    # not to the seed's client host on the internet.
    assert set(example) == set(seed)
    assert {k: v for k, v in example.items() if k != "callbackUrl"} == {k: v for k, v in seed.items() if k != "callbackUrl"}
    assert seed["callbackUrl"] == "https://client.example.com/sms/status"  # the seed itself is unchanged
    assert example["callbackUrl"] == "http://127.0.0.1:8000/_mock/bins/smscpr-dlr"
    prop = schemas["SendSmsRequest"]["properties"]["callbackUrl"]
    assert prop["examples"] == [example["callbackUrl"]]
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
    # Its receipts go to a bin on the same server (the default port of `mockserver serve`).
    assert resp.json()["callbackUrl"] == "http://127.0.0.1:8000/_mock/bins/smscpr-dlr"


def test_no_providers_swagger_example_sends_callbacks_off_the_machine(client):
    """A URL in any provider's OpenAPI outside its prose is a loopback one (examples Try-it would use)."""
    import re

    from tests.vendors import VENDORS  # noqa: PLC0415 - every provider's docs, not only SMSCPR's

    for provider in VENDORS:
        spec = client.get(f"/{provider}/openapi.json").json()
        spec.pop("info", None)  # the description names the real vendor's base URL: prose, never sent to
        urls = re.findall(r"https?://[^\s\"'`)<>]+", json.dumps(spec))
        assert all(re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", u) for u in urls), (provider, urls)
        if provider == "smscpr":
            assert "http://127.0.0.1:8000/_mock/bins/smscpr-dlr" in urls  # the check does see the examples


def test_index_lists_smscpr_with_its_tokens(client):
    page = client.get("/credentials").text  # the index moved one click away from the inbox at /
    assert "/smscpr/docs" in page and TOKEN in page and "https://api-sms.smscpr.com" in page
