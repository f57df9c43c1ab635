"""What every provider gets from the shared layer, checked through HTTP: MOCKSERVER_MAX_BODY_BYTES caps every
provider's body limit, Retry-After never exceeds an hour, Settings.provider_settings configures a provider
(over its environment variable), and the fixtures settings decide which credentials exist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockserver.core.fixtures import bundled_dir
from tests.providers.cast.kit import README as CAST_KEY
from tests.providers.mesms.kit import H as MESMS_H
from tests.providers.smscpr.kit import AUTH as SMSCPR_AUTH

SENDS = {  # provider -> (send path, headers, the 413 body in that vendor's envelope)
    "cast": ("/cast/api/v1/sms/send", {"X-API-Key": CAST_KEY},
             {"success": False, "error": "request body too large", "error_code": "INVALID_REQUEST"}),
    "smscpr": ("/smscpr/v1/sendsms", SMSCPR_AUTH,
               {"errorCode": "PAYLOAD_TOO_LARGE", "errorMessage": "request body is too large", "details": []}),
    "mesms": ("/mesms/api/v2/sms/send", MESMS_H, {"error": "Request body too large", "code": "PAYLOAD_TOO_LARGE"}),
    "engagelab": ("/engagelab/v1/messages", {}, None),
}


def _json_of_size(size: int) -> bytes:
    body = b'{"message": "' + b"x" * size + b'"}'
    return body


@pytest.mark.parametrize("provider", sorted(SENDS))
def test_global_body_limit_caps_every_provider(client_factory, provider):
    client = client_factory(max_body_bytes=2048)
    path, headers, expected = SENDS[provider]
    resp = client.post(path, content=_json_of_size(4096), headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 413, resp.text
    if expected is not None:
        assert resp.json() == expected
    else:  # EngageLab's send envelope: a fresh plan id, nothing accepted
        body = resp.json()
        assert (body["code"], body["accepted_count"]) == (3002, 0)
        assert body["message"] == "Invalid request parameters: request body too large"
    # Just under the global limit the provider reads the body (and answers anything but 413).
    small = client.post(path, content=_json_of_size(1000), headers={**headers, "Content-Type": "application/json"})
    assert small.status_code != 413, small.text


def test_a_vendor_limit_below_the_global_one_still_applies(client_factory):
    client = client_factory(provider_settings={"smscpr": {"max_body_bytes": 1024}, "cast": {"max_body_bytes": 1024}})
    for provider in ("smscpr", "cast"):
        path, headers, expected = SENDS[provider]
        resp = client.post(path, content=_json_of_size(1500), headers={**headers, "Content-Type": "application/json"})
        assert (resp.status_code, resp.json()) == (413, expected)


@pytest.mark.parametrize("provider, settings, request_", [
    ("smscpr", {"rate_limit_burst": 1, "rate_limit_per_second": 0.0001}, ("get", "/smscpr/v1/messages/sms", SMSCPR_AUTH)),
    ("mesms", {"rate_limit_burst": 1, "rate_limit_per_second": 0.0001}, ("get", "/mesms/api/v2/credits", MESMS_H)),
    ("cast", {"rate_limit_burst": 1, "retry_after": 86_400}, ("get", "/cast/api/v1/account/balance",
                                                              {"X-API-Key": CAST_KEY})),
])
def test_retry_after_is_capped_at_one_hour(client_factory, provider, settings, request_):
    client = client_factory(provider_settings={provider: settings})
    method, path, headers = request_
    assert client.request(method, path, headers=headers).status_code == 200
    limited = client.request(method, path, headers=headers)
    assert limited.status_code == 429, limited.text
    assert limited.headers["retry-after"] == "3600"


def test_provider_settings_win_over_the_environment(client_factory, monkeypatch):
    monkeypatch.setenv("MOCKSERVER_CAST_SIM_SERVICE_ENABLED", "false")
    from tests.providers.cast import kit

    body = {"to": "09171234567", "message": "x"}
    env_only = client_factory()
    assert kit.send(env_only, body, key=kit.SIM, path="sim/send").status_code == 503
    overridden = client_factory(provider_settings={"cast": {"sim_service_enabled": True}})
    assert kit.send(overridden, body, key=kit.SIM, path="sim/send").status_code == 200


def test_load_fixtures_false_leaves_no_credentials(client_factory):
    client = client_factory(load_fixtures=False)
    for provider, (path, headers, _) in SENDS.items():
        if provider == "engagelab":
            continue
        resp = client.post(path, json={}, headers=headers)
        assert resp.status_code == 401, (provider, resp.text)
    assert client.get("/_mock/accounts").json() == []


def test_fixtures_dir_replaces_the_bundled_fixtures(client_factory, tmp_path: Path):
    own = tmp_path / "fixtures"
    shutil.copytree(bundled_dir(), own, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    mine = "cast_" + "ab" * 32
    cast = (own / "cast.toml").read_text().replace(CAST_KEY, mine)
    (own / "cast.toml").write_text(cast)
    client = client_factory(fixtures_dir=own)
    assert client.get("/cast/api/v1/account/balance", headers={"X-API-Key": mine}).status_code == 200
    resp = client.get("/cast/api/v1/account/balance", headers={"X-API-Key": CAST_KEY})
    assert (resp.status_code, resp.json()["error_code"]) == (401, "INVALID_API_KEY")
