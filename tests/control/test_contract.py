"""The /_mock contract in one place: every operation documents a non-empty answer schema, and the real
answers of the routes match what their OpenAPI says (every key declared, every required key sent, every
value of the declared type), checked by a small JSON Schema walker over /_mock/openapi.json."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Mount

from mockserver.providers import PROVIDERS
from tests.conftest import advance
from tests.core.kit import install, send

#: Where the checker reads each answer's body (the SSE stream is covered by tests/ui; it never ends).
NOT_JSON = {("get", "/stream")}
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def control_app(client):
    return next(r.app for r in client.app.routes if isinstance(r, Mount) and r.path == "/_mock")


def operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items()]


def resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def violations(value: Any, schema: dict, spec: dict, at: str = "$") -> list[str]:
    """Where `value` breaks `schema`. Stricter than JSON Schema on purpose: an object schema with
    `properties` admits no other key, so an answer can carry nothing its contract leaves out."""
    schema = resolve(schema, spec)
    if "anyOf" in schema:
        tries = [violations(value, s, spec, at) for s in schema["anyOf"]]
        return [] if any(not t for t in tries) else min(tries, key=len)
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} not in {schema['enum']}"]
    kind = schema.get("type")
    if kind is not None and not _type_ok(value, kind):
        return [f"{at}: {value!r} is not {kind}"]
    found: list[str] = []
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += violations(item, schema["items"], spec, f"{at}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties")
        found += [f"{at}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if props is not None and key in props:
                found += violations(item, props[key], spec, f"{at}.{key}")
            elif props is not None:
                found.append(f"{at}: {key!r} is not declared")
            elif isinstance(schema.get("additionalProperties"), dict):
                found += violations(item, schema["additionalProperties"], spec, f"{at}.{key}")
    return found


def test_every_operation_declares_a_non_empty_answer(client):
    spec = control_app(client).openapi()
    ops = operations(spec)
    assert len(ops) >= 35
    for method, path, op in ops:
        answers = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert answers, f"{method.upper()} {path} documents no 2xx answer"
        for code, answer in answers.items():
            if code == "204":
                assert "content" not in answer and method == "delete", f"{method.upper()} {path}"
                continue
            content = answer.get("content", {})
            assert content, f"{method.upper()} {path} {code}: no content"
            for media, body in content.items():
                schema = resolve(body.get("schema", {}), spec)
                described = schema.get("properties") or schema.get("items") or schema.get("type") == "string"
                assert described, f"{method.upper()} {path} {code} {media}: empty schema {schema}"


def test_the_checker_finds_a_broken_answer(client):
    spec = control_app(client).openapi()
    clock = {"$ref": "#/components/schemas/ClockState"}
    assert violations({"now": 1.5, "iso": "x", "frozen": True}, clock, spec) == []
    assert violations({"now": "1.5", "iso": "x", "frozen": True, "extra": 1}, clock, spec) == [
        "$.now: '1.5' is not number", "$: 'extra' is not declared"]
    assert violations({"now": 1, "iso": "x"}, clock, spec) == ["$: missing 'frozen'"]


class Contract:
    """Checks each answer against the operation's documented schema and remembers what it covered."""

    def __init__(self, client) -> None:
        self.client, self.spec, self.seen = client, control_app(client).openapi(), set()

    def call(self, method: str, template: str, path: str | None = None, **kw) -> Any:
        resp = self.client.request(method, "/_mock" + (path or template), **kw)
        answers = self.spec["paths"][template][method.lower()]["responses"]
        assert str(resp.status_code) in answers, (method, path or template, resp.status_code, resp.text)
        self.seen.add((method.lower(), template))
        content = answers[str(resp.status_code)].get("content")
        if content is None:
            assert resp.content == b""
            return None
        body = resp.json()
        assert violations(body, content["application/json"]["schema"], self.spec) == [], (method, template)
        return body


def check_messages_webhooks_inbound(c: Contract, first, receiver) -> None:
    mid = first.id
    c.call("GET", "/messages", params={"limit": 1})
    c.call("GET", "/messages", params={"order": "asc", "status": "delivered"})
    c.call("GET", "/messages/latest")
    assert c.call("GET", "/messages/wait", params={"timeout": 0})["id"] > mid
    assert c.call("GET", "/messages/wait", params={"timeout": 0, "after": 10**9})["seen"]  # the 408
    full = c.call("GET", "/messages/{message_id}", f"/messages/{mid}")
    assert full["otp"] == "482913" and full["webhooks"] and full["webhooks"][0]["attempt_log"]
    assert c.call("GET", "/messages/{message_id}", f"/messages/{mid}", params={"recipients_limit": 0})["recipients"] is None
    c.call("GET", "/messages/{message_id}/recipients", f"/messages/{mid}/recipients")
    c.call("GET", "/messages/{message_id}/events", f"/messages/{mid}/events")
    c.call("GET", "/messages/{message_id}/webhooks", f"/messages/{mid}/webhooks")
    later = send(c.client, "+639170000004", body="to be forced")
    forced = c.call("POST", "/messages/{message_id}/status", f"/messages/{later.id}/status", json={"status": "failed"})
    assert forced["changed"][0]["to"] == "failed"
    plain = c.call("GET", "/webhooks")["items"]
    assert plain and all("attempt_log" not in h for h in plain)
    hook = c.call("GET", "/webhooks", params={"attempts": True, "order": "asc"})["items"][0]
    c.call("GET", "/webhooks/{webhook_id}", f"/webhooks/{hook['id']}")
    assert c.call("POST", "/webhooks/{webhook_id}/redeliver", f"/webhooks/{hook['id']}/redeliver")["attempts"] >= 1
    mo = c.call("POST", "/inbound", json={"provider": "testprov", "account_id": "acc-1", "from": "+639171234567",
                                          "to": "BRAND", "body": "STOP 1234"})
    assert mo["webhooks"] and receiver.bodies("/mo")
    assert [m["id"] for m in c.call("GET", "/inbound")] == [mo["id"]]
    c.call("DELETE", "/messages/{message_id}", f"/messages/{mid}")


def check_accounts_clock_faults(c: Contract) -> None:
    made = c.call("POST", "/accounts", json={"provider": "testprov", "credits": 5, "extra": {"tier": "gold"}})
    assert made["credentials"]["api_key"]
    assert made["id"] in [a["id"] for a in c.call("GET", "/accounts")]
    c.call("GET", "/accounts/{account_id}", f"/accounts/{made['id']}")
    assert c.call("PATCH", "/accounts/{account_id}", f"/accounts/{made['id']}", json={"add_credits": 3})["credits"] == 8
    c.call("DELETE", "/accounts/{account_id}", f"/accounts/{made['id']}")
    c.call("GET", "/clock"), c.call("POST", "/clock/freeze"), c.call("POST", "/clock/resume")
    c.call("POST", "/clock/set", json={"iso": "2030-01-01T00:00:00Z"})
    c.call("POST", "/clock/advance", json={"seconds": 1})
    rule = c.call("POST", "/faults", json={"provider": "testprov", "times": 2, "latency_ms": [1, 5]})
    assert [f["id"] for f in c.call("GET", "/faults")["items"]] == [rule["id"]]
    c.call("GET", "/faults/{fault_id}", f"/faults/{rule['id']}")
    c.call("DELETE", "/faults/{fault_id}", f"/faults/{rule['id']}"), c.call("DELETE", "/faults")


def check_bins_journal_health_reset(c: Contract) -> None:
    c.call("PUT", "/bins/{name}", "/bins/contract", json={"status": 503, "fail_first": 1, "retry_after": 2})
    assert c.client.post("/_mock/bins/contract").status_code == 503  # the misbehaviour asked for
    c.call("GET", "/bins/{name}", "/bins/contract")
    assert c.call("POST", "/bins/{name}", "/bins/contract", json={"a": 1})["ok"] is True
    assert c.call("GET", "/bins")[0]["answer"]["status"] == 503
    caught = c.call("GET", "/bins/{name}/requests", "/bins/contract/requests")["items"]
    assert [r["method"] for r in caught] == ["POST", "GET", "POST"] and caught[0]["json"] == {"a": 1}
    c.call("DELETE", "/bins/{name}/requests", "/bins/contract/requests")
    vendor = sorted(name for name in PROVIDERS if name != "testprov")[0]
    c.client.post(f"/{vendor}/contract-probe", json={"x": 1})  # journaled, whatever the vendor answers
    entry = c.call("GET", "/requests")["items"][0]
    assert c.call("GET", "/requests/{request_id}", f"/requests/{entry['id']}")["path"].endswith("/contract-probe")
    assert c.call("DELETE", "/requests")["removed"] >= 1
    c.call("GET", "/health")
    c.call("POST", "/reset", json={"provider": "testprov"})


def test_real_answers_match_their_documented_schema(client, receiver, testprov):
    """Every documented operation is called (a new route needs a call here) and each answer is checked."""
    install(client, dlr_url=receiver.url("/dlr"), mo_url=receiver.url("/mo"))
    first = send(client, "+639170000001", body="Your code is 482913 https://x.example/a")
    send(client, ["+639170000002", "+639170000003"], body="hello")
    advance(client, 30)
    contract = Contract(client)
    check_messages_webhooks_inbound(contract, first, receiver)
    check_accounts_clock_faults(contract)
    check_bins_journal_health_reset(contract)
    documented = {(m, p) for m, p, _ in operations(contract.spec)}
    assert documented - contract.seen - NOT_JSON == set()
