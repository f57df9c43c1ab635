"""Every documented 4xx/5xx of every provider's OpenAPI has examples, in that vendor's envelope, that differ
per status; Cast's X-Idempotency-Key documents the limit the server enforces."""

from __future__ import annotations

import pytest

from tests.vendors import VENDORS


def _error_responses(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for code, response in operation.get("responses", {}).items():
                if code[0] in "45":
                    yield path, method, code, response


@pytest.mark.parametrize("provider", list(VENDORS))
def test_every_documented_error_status_has_its_own_examples_in_the_vendor_envelope(client, provider):
    spec = client.get(f"/{provider}/openapi.json").json()
    seen: dict[tuple[str, str], dict[str, list]] = {}
    count = 0
    for path, method, code, response in _error_responses(spec):
        examples = response.get("content", {}).get("application/json", {}).get("examples", {})
        assert examples, f"{provider} {method.upper()} {path} {code} has no example"
        for example in examples.values():
            body = example["value"]
            assert set(body) == VENDORS[provider].envelope_of(path), (provider, path, code, body)
            assert example["summary"] in str(body)  # the summary is the body's own message
        seen.setdefault((path, method), {})[code] = [e["value"] for e in examples.values()]
        count += 1
    assert count >= 10
    for (path, method), by_status in seen.items():
        codes = sorted(by_status)
        for i, a in enumerate(codes):
            for b in codes[i + 1:]:
                shared = [v for v in by_status[a] if v in by_status[b]]
                assert not shared, f"{provider} {method.upper()} {path}: {a} and {b} share {shared}"


def test_cast_v1_examples_carry_the_code_of_their_status(client):
    spec = client.get("/cast/openapi.json").json()
    responses = spec["paths"]["/api/v1/sms/send"]["post"]["responses"]
    codes = {status: {e["value"]["error_code"] for e in r["content"]["application/json"]["examples"].values()}
             for status, r in responses.items() if status[0] in "45"}
    assert codes["401"] == {"INVALID_API_KEY"}
    assert codes["402"] == {"INSUFFICIENT_CREDITS", "CREDIT_LIMIT_REACHED"}
    assert codes["502"] == {"PROVIDER_ERROR"} and codes["503"] == {"SERVICE_UNAVAILABLE"}
    assert "API_KEY_REVOKED" in codes["403"] and "RATE_LIMIT_EXCEEDED" in codes["429"]
    legacy = spec["paths"]["/api/sms/send"]["post"]["responses"]["402"]["content"]["application/json"]
    assert [e["value"] for e in legacy["examples"].values()] == [
        {"success": False, "error": "insufficient credits: need 6, have 3"},
        {"success": False, "error": "credit limit reached: need 2, limit 100, balance -99"}]


def test_cast_idempotency_key_schema_and_description_say_what_the_server_enforces(client):
    from tests.providers.cast.kit import README, h  # noqa: PLC0415 - Cast's fixture key

    spec = client.get("/cast/openapi.json").json()
    header = next(p for p in spec["paths"]["/api/v1/sms/send"]["post"]["parameters"]
                  if p["name"] == "X-Idempotency-Key")
    assert header["schema"]["maxLength"] == 255
    assert "up to 255 characters" in header["description"]
    body = {"to": "09171234567", "message": "hi", "sender_id": "CAST"}
    longest = client.post("/cast/api/v1/sms/send", headers=h(README, **{"X-Idempotency-Key": "k" * 255}), json=body)
    assert longest.status_code == 200, longest.text
    too_long = client.post("/cast/api/v1/sms/send", headers=h(README, **{"X-Idempotency-Key": "k" * 256}), json=body)
    assert (too_long.status_code, too_long.json()["error_code"]) == (400, "VALIDATION_ERROR")
