"""Callback URLs: http and https only everywhere they enter (control API 422, a vendor's validation
error on send), MOCKSERVER_WEBHOOK_ALLOW_HOSTS / _DENY_HOSTS for shared deployments, and a refused URL
gets no request at delivery time (the attempt is logged as refused, not retried)."""

from __future__ import annotations

import pytest

from mockserver.core.delivery.callback_urls import refusal
from tests.hardening.kit import send_case


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/x", "ftp://h/x", "javascript:alert(1)",
                                 "http://", "http://h:99999/x", "//h/x"])
def test_only_http_and_https_urls_with_a_host_are_callable(url):
    assert refusal(url) is not None


@pytest.mark.parametrize("url", ["http://localhost:9000/dlr", "https://host.docker.internal/x", "http://10.1.2.3/x",
                                 "HTTPS://Example.COM/x", "http://[::1]:8080/x"])
def test_by_default_any_http_host_is_fine(url):
    assert refusal(url) is None


def test_allow_and_deny_hosts_take_globs_and_cidrs():
    deny = ["169.254.0.0/16", "*.internal"]
    assert refusal("http://169.254.169.254/latest", deny=deny) is not None
    assert refusal("http://metadata.internal/x", deny=deny) is not None
    assert refusal("http://localhost/x", deny=["127.0.0.0/8"]) is not None  # resolved, then matched
    assert refusal("http://hooks.example.com/x", deny=deny) is None
    allow = ["*.example.com", "10.0.0.0/8"]
    assert refusal("http://hooks.example.com/x", allow=allow) is None
    assert refusal("http://10.9.9.9/x", allow=allow) is None
    assert refusal("http://127.0.0.1/x", allow=allow) is not None
    assert refusal("http://a.example.com/x", allow=allow, deny=["a.example.com"]) is not None  # deny wins


@pytest.mark.parametrize("field", ["dlr_url", "mo_url"])
def test_the_control_api_refuses_other_schemes_with_a_422(sandbox, field):
    resp = sandbox.post("/_mock/accounts", json={"provider": "cast", "id": "c1", field: "file:///etc/passwd"})
    assert resp.status_code == 422
    assert "http or https only" in resp.json()["detail"][0]["msg"]
    assert sandbox.get("/_mock/accounts/c1").status_code == 404
    patch = sandbox.patch("/_mock/accounts/cast-demo", json={field: "gopher://127.0.0.1:70/"})
    assert patch.status_code == 422
    assert sandbox.get("/_mock/accounts/cast-demo").json()[field] is None


def test_the_control_api_applies_the_deny_list(app_factory, receiver):
    client = app_factory(webhook_deny_hosts=["127.0.0.0/8"])
    resp = client.patch("/_mock/accounts/cast-demo", json={"dlr_url": receiver.url()})
    assert resp.status_code == 422 and "MOCKSERVER_WEBHOOK_DENY_HOSTS" in resp.text
    assert receiver.requests == []


def test_a_send_to_a_denied_callback_host_is_the_vendors_400(app_factory):
    client = app_factory(webhook_deny_hosts=["*.internal"])
    path, headers, _, error_field = send_case("smscpr")
    body = {"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
            "to": "+15550002222", "body": "hi", "callbackUrl": "http://metadata.internal/x"}
    resp = client.post(path, json=body, headers=headers)
    assert resp.status_code == 400 and error_field in resp.json()
    assert client.get("/_mock/messages", params={"provider": "smscpr"}).json()["items"] == []
    body["callbackUrl"] = "ftp://example.com/x"
    assert client.post(path, json=body, headers=headers).status_code == 400


def test_a_stored_url_that_is_now_refused_gets_no_request(app_factory, receiver):
    """Rules tightened after the URL was stored (or a file:// URL from an older database): the
    dispatcher refuses it without sending, logs why, and does not retry."""
    first = app_factory()
    assert first.patch("/_mock/accounts/cast-demo", json={"dlr_url": receiver.url()}).status_code == 200
    client = app_factory(webhook_deny_hosts=["127.0.0.1"])
    path, headers, body, _ = send_case("cast")
    assert client.post(path, content=body, headers={**headers, "Content-Type": "application/json"}).status_code == 200
    assert client.post("/_mock/clock/advance", json={"seconds": 600}).status_code == 200
    hooks = client.get("/_mock/webhooks").json()["items"]
    assert hooks, "the DLR was queued"
    for hook in hooks:
        detail = client.get(f"/_mock/webhooks/{hook['id']}").json()
        assert detail["status"] == "failed" and detail["attempts"] == 1
        assert detail["attempt_log"][0]["error"].startswith("refused: callback host 127.0.0.1 is denied")
        assert detail["attempt_log"][0]["response_status"] is None
    assert receiver.requests == []
