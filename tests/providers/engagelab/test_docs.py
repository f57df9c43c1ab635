"""Swagger UI at /engagelab/docs with HTTP Basic, and an OpenAPI document Try-it can use."""

from __future__ import annotations

from tests.providers.engagelab.kit import DEV_KEY, DEV_SECRET, send


def test_swagger_ui_is_served(client):
    resp = client.get("/engagelab/docs")
    assert resp.status_code == 200 and "swagger-ui" in resp.text
    assert "/engagelab/openapi.json" in resp.text


def test_openapi_has_basic_auth_every_operation_and_request_schemas(client):
    spec = client.get("/engagelab/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "BasicScheme": {"type": "http", "scheme": "basic", "description": "base64(dev_key:dev_secret)"}}
    operations = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert operations == {
        ("/v1/messages", "post"),
        ("/v1/template-configs", "post"), ("/v1/template-configs", "get"),
        ("/v1/template-configs/{templateId}", "get"), ("/v1/template-configs/{templateId}", "put"),
        ("/v1/template-configs/{templateId}", "delete"),
        ("/v1/sign-configs", "post"), ("/v1/sign-configs", "get"), ("/v1/sign-configs/{signId}", "get"),
        ("/v1/sign-configs/{signId}", "put"), ("/v1/sign-configs/{signId}", "delete"),
    }
    for path, method in operations:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"BasicScheme": []}]
        assert operation.get("description") or operation.get("summary")
        assert "422" not in operation["responses"]
    send = spec["paths"]["/v1/messages"]["post"]["requestBody"]["content"]["application/json"]
    assert send["schema"] == {"$ref": "#/components/schemas/SendRequest"}
    assert {"single", "notification", "marketing", "scheduled"} <= set(send["examples"])
    schemas = spec["components"]["schemas"]
    assert {"SendRequest", "TemplateRef", "TemplateConfigIn", "SignConfigIn"} <= set(schemas)
    assert set(schemas["SendRequest"]["required"]) == {"to", "template"}


def test_swagger_examples_work_as_written(client):
    spec = client.get("/engagelab/openapi.json").json()
    examples = spec["paths"]["/v1/messages"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    for example in examples.values():
        resp = send(client, example["value"])
        assert resp.status_code == 200, (example["summary"], resp.text)


def test_sign_config_try_it_example_creates_a_signature(client):
    spec = client.get("/engagelab/openapi.json").json()
    schema_ref = spec["paths"]["/v1/sign-configs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    props = spec["components"]["schemas"][schema_ref["$ref"].rsplit("/", 1)[-1]]["properties"]
    example = {"sign_name": props["sign_name"]["examples"][0]}
    resp = client.post("/engagelab/v1/sign-configs", json=example, auth=(DEV_KEY, DEV_SECRET))
    assert resp.status_code == 200, resp.text
    assert set(resp.json()) == {"sign_id"}
