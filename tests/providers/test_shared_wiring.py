"""What every provider gets from the shared layer, checked through HTTP: MOCKSERVER_MAX_BODY_BYTES caps every
provider's body limit, Retry-After never exceeds an hour, Settings.provider_settings configures a provider
(over its environment variable), and the fixtures settings decide which credentials exist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockserver.core.fixtures import bundled_dir
from tests.providers.cast.kit import README as CAST_KEY
from tests.vendors import VENDORS

LIMITED = [v for v in VENDORS.values() if v.limiter]


def _json_of_size(size: int) -> bytes:
    body = b'{"message": "' + b"x" * size + b'"}'
    return body


@pytest.mark.parametrize("vendor", VENDORS.values(), ids=list(VENDORS))
def test_global_body_limit_caps_every_provider(client_factory, vendor):
    client = client_factory(max_body_bytes=2048)
    headers = {**vendor.headers, "Content-Type": "application/json"}
    resp = client.post(vendor.url, content=_json_of_size(4096), headers=headers)
    vendor.too_large.check(resp)
    if "accepted_count" in vendor.too_large.keys:  # EngageLab's send envelope: nothing accepted
        assert resp.json()["accepted_count"] == 0
    # Just under the global limit the provider reads the body (and answers anything but 413).
    small = client.post(vendor.url, content=_json_of_size(1000), headers=headers)
    assert small.status_code != 413, small.text


def test_a_vendor_limit_below_the_global_one_still_applies(client_factory):
    client = client_factory(provider_settings={"smscpr": {"max_body_bytes": 1024}, "cast": {"max_body_bytes": 1024}})
    for vendor in (VENDORS["smscpr"], VENDORS["cast"]):
        resp = client.post(vendor.url, content=_json_of_size(1500),
                           headers={**vendor.headers, "Content-Type": "application/json"})
        vendor.too_large.check(resp)


@pytest.mark.parametrize("vendor", LIMITED, ids=[v.name for v in LIMITED])
def test_retry_after_is_capped_at_one_hour(client_factory, vendor):
    client = client_factory(provider_settings={vendor.name: dict(vendor.limiter)})
    assert vendor.send(client).status_code == 200
    limited = vendor.send(client)
    vendor.rate_limited.check(limited)
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
    for vendor in VENDORS.values():
        if vendor.name == "engagelab":  # EngageLab provisions an unknown dev key (its docs' sandbox)
            continue
        resp = client.post(vendor.url, json={}, headers=vendor.headers)
        assert resp.status_code == 401, (vendor.name, resp.text)
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
