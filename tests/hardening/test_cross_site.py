"""Cross-site callers (issue 24, findings 6 and 7, and the frame headers of 9): state-changing control
and inbox requests refuse another site (Origin, Sec-Fetch-Site) and simple-form bodies with 403, the
Host allow-list answers 421 to a rebound name, and pages may not be framed. Provider APIs keep working."""

from __future__ import annotations

import pytest

from tests.hardening.kit import send_case
from tests.vendors import VENDORS

BODYLESS = ["/_mock/reset", "/_mock/clock/freeze", "/_mock/clock/resume"]
#: The edge refuses these before any route or store runs, so the backend cannot change the answer; the state
#: each refusal must leave alone (the clock) is read back on both backends by the same-origin test below.
EDGE_ONLY = pytest.mark.sqlite_only("refused at the edge (guards.py / sitecheck.py) before any store access")


@EDGE_ONLY
@pytest.mark.parametrize("path", BODYLESS)
@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:9999"},  # another port on the same host: same-site, not same-origin
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Content-Type": "application/x-www-form-urlencoded"},  # a plain HTML form, no Origin (old browser)
    {"Content-Type": "text/plain"},
    {"Content-Type": "multipart/form-data; boundary=x"},
])
def test_cross_site_state_changes_are_refused(sandbox, path, headers):
    before = sandbox.get("/_mock/clock").json()
    resp = sandbox.post(path, headers=headers)
    assert resp.status_code == 403, resp.text
    assert "refused" in resp.json()["detail"]
    assert sandbox.get("/_mock/clock").json()["frozen"] == before["frozen"]


def test_a_form_body_to_a_json_route_is_refused_and_changes_nothing(sandbox):
    before = sandbox.get("/_mock/clock").json()["now"]
    resp = sandbox.post("/_mock/clock/advance", content=b'{"seconds": 3600}',
                        headers={"Content-Type": "text/plain", "Origin": "http://testserver"})
    assert resp.status_code == 403
    assert sandbox.get("/_mock/clock").json()["now"] == before


def test_same_origin_and_non_browser_callers_keep_working(sandbox):
    assert sandbox.post("/_mock/clock/freeze").status_code == 200  # curl / SDKs send no Origin
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert sandbox.post("/_mock/clock/resume", headers=same).status_code == 200
    assert sandbox.post("/_mock/clock/advance", json={"seconds": 1}, headers=same).status_code == 200
    assert sandbox.get("/_mock/clock", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200  # reads


def test_redeliver_is_refused_cross_site(sandbox):
    resp = sandbox.post("/_mock/webhooks/1/redeliver", headers={"Origin": "http://127.0.0.1:9999"})
    assert resp.status_code == 403


@pytest.mark.parametrize("provider", list(VENDORS))
def test_provider_apis_ignore_the_browser_rules(sandbox, provider):
    path, headers, body, _ = send_case(provider)
    resp = sandbox.post(path, content=body, headers={**headers, "Content-Type": "application/json",
                                                     "Origin": "https://app.example", "Sec-Fetch-Site": "cross-site"})
    assert resp.status_code in (200, 201, 202), resp.text
    assert "x-frame-options" not in resp.headers


@EDGE_ONLY
@pytest.mark.parametrize("path", ["/credentials", "/_mock/accounts", "/cast/api/sms/balance", "/"])
def test_a_rebound_host_name_gets_421(sandbox, path):
    resp = sandbox.get(path, headers={"Host": "attacker.example"})
    assert resp.status_code == 421
    assert "key" not in resp.text.lower()


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost", "localhost:8080", "app.localhost:8080", "[::1]:8080",
                                  "mockserver:8080", "host.docker.internal:8080", "10.0.0.5", "LOCALHOST."])
def test_the_default_host_list_lets_real_users_through(sandbox, host):
    assert sandbox.get("/credentials", headers={"Host": host}).status_code == 200


def test_allowed_hosts_adds_names(app_factory):
    client = app_factory(allowed_hosts=["sms.example.com", "*.corp.example"])
    assert client.get("/credentials", headers={"Host": "sms.example.com"}).status_code == 200
    assert client.get("/credentials", headers={"Host": "a.corp.example:80"}).status_code == 200
    assert client.get("/credentials", headers={"Host": "attacker.example"}).status_code == 421
    anything = app_factory(allowed_hosts=["*"])
    assert anything.get("/credentials", headers={"Host": "attacker.example"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/credentials", "/_mock/accounts"])
def test_pages_may_not_be_framed(sandbox, path):
    resp = sandbox.get(path)
    assert resp.status_code == 200
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["content-security-policy"] == "frame-ancestors 'none'"
