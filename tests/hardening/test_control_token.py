"""MOCKSERVER_CONTROL_TOKEN locks the control plane (control API, index, docs), not the provider APIs;
a browser signs in once and gets an HttpOnly cookie; /_mock/health stays open for healthchecks."""

from __future__ import annotations

import pytest

from tests.hardening.kit import send_case
from tests.vendors import VENDORS

TOKEN = "s3cret-token"


@pytest.fixture
def locked(app_factory):
    return app_factory(control_token=TOKEN)


def test_without_a_token_setting_everything_is_open(sandbox):
    assert sandbox.get("/_mock/accounts").status_code == 200
    assert sandbox.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/_mock/accounts", "/_mock/clock", "/_mock/openapi.json", "/_mock/docs", "/",
                                  "/docs", "/_mock/messages"])
def test_control_paths_need_the_token(locked, path):
    resp = locked.get(path)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert "accounts" not in resp.text and "key" not in resp.text.lower().replace("token", "")


def test_reset_and_time_travel_are_refused_without_it(locked):
    before = locked.get("/_mock/clock", headers={"Authorization": f"Bearer {TOKEN}"}).json()["now"]
    assert locked.post("/_mock/clock/advance", json={"seconds": 3600}).status_code == 401
    assert locked.post("/_mock/reset").status_code == 401
    assert locked.post("/_mock/clock/advance", json={"seconds": 1},
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    after = locked.get("/_mock/clock", headers={"Authorization": f"Bearer {TOKEN}"}).json()["now"]
    assert after == before


def test_the_bearer_token_opens_it(locked):
    resp = locked.get("/_mock/accounts", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200 and len(resp.json()) > 0


def test_health_stays_open(locked):
    assert locked.get("/_mock/health").status_code == 200


@pytest.mark.parametrize("provider", list(VENDORS))
def test_provider_apis_are_unaffected(locked, provider):
    path, headers, body, _ = send_case(provider)
    resp = locked.post(path, content=body, headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code in (200, 201, 202), resp.text
    assert locked.get(f"/{provider}/openapi.json").status_code == 200


def test_a_browser_is_sent_to_the_login_and_comes_back_with_a_cookie(locked):
    page = locked.get("/_mock/docs?x=1", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/_login?next=%2F_mock%2Fdocs%3Fx%3D1"
    form = locked.get(page.headers["location"])
    assert form.status_code == 200 and 'name="token"' in form.text and 'value="/_mock/docs?x=1"' in form.text
    wrong = locked.post("/_login", data={"token": "nope", "next": "/_mock/docs"}, follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong token" in wrong.text and "mockserver_control" not in locked.cookies
    ok = locked.post("/_login", data={"token": TOKEN, "next": "/_mock/docs"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/_mock/docs"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
    assert locked.get("/_mock/accounts").status_code == 200  # the client keeps the cookie
    locked.get("/_logout", follow_redirects=False)
    assert locked.get("/_mock/accounts").status_code == 401


def test_a_forged_cookie_is_refused(locked):
    locked.cookies.set("mockserver_control", TOKEN)
    assert locked.get("/_mock/accounts").status_code == 401


def test_the_login_never_redirects_off_site(locked):
    ok = locked.post("/_login", data={"token": TOKEN, "next": "//evil.example/x"}, follow_redirects=False)
    assert ok.headers["location"] == "/"


def test_webhooks_into_a_bin_need_no_token_but_reading_it_does(locked):
    """A bin is a callback receiver: what arrives in it is open like a provider API; what reads it is control."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert locked.post("/_mock/bins/dlr", json={"status": "DELIVERED"}).status_code == 200
    assert locked.post("/_mock/bins/dlr/sub/path", json={}).status_code == 200
    assert locked.get("/_mock/bins/dlr/requests").status_code == 401
    assert locked.get("/_mock/bins").status_code == 401
    assert locked.delete("/_mock/bins/dlr/requests").status_code == 401
    listed = locked.get("/_mock/bins/dlr/requests", headers=auth).json()
    assert [r["path"] for r in listed["items"]] == ["/_mock/bins/dlr/sub/path", "/_mock/bins/dlr"]


@pytest.mark.parametrize("path", ["/credentials", "/inbox", "/"])
def test_the_inbox_and_credentials_need_the_token(locked, path):
    assert locked.get(path).status_code == 401


def test_provider_swagger_assets_stay_open(locked):
    """/cast/docs is open, so the Swagger UI files it loads must be too (else a blank page)."""
    page = locked.get("/cast/docs")
    assert page.status_code == 200
    assert locked.get("/_static/swagger-ui/swagger-ui-bundle.js").status_code == 200
