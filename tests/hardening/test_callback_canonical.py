"""Callback URL rules on the canonical address, one validator at entry and delivery (issue 24,
finding 5): every spelling of a denied address is denied, and a URL with control characters, spaces or
non-ASCII bytes is refused when it enters (the vendor's 400, the control API's 422), not stored."""

from __future__ import annotations

import pytest

from mockserver.core.delivery.callback_urls import refusal
from tests.hardening.kit import send_case

LOOPBACK = ["127.0.0.0/8"]


@pytest.mark.parametrize("host", ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "0", "2130706433",
                                  "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "127.0.0.1.", "[::127.0.0.1]",
                                  "localhost.", "LOCALHOST"])
def test_every_spelling_of_a_denied_address_is_denied(host):
    assert refusal(f"http://{host}:9000/dlr", deny=LOOPBACK) is not None


def test_the_unspecified_ipv6_address_is_this_host_too():
    assert refusal("http://[::]:9000/dlr", deny=["::1/128"]) is not None


def test_a_glob_on_the_address_matches_its_other_spellings():
    assert refusal("http://2130706433/x", deny=["127.0.0.1"]) is not None
    assert refusal("http://hooks.example.com./x", deny=["hooks.example.com"]) is not None


@pytest.mark.parametrize("host", ["10.1.2.3", "[2001:db8::1]", "192.168.1.20", "[::ffff:10.0.0.1]"])
def test_other_addresses_still_pass(host):
    assert refusal(f"http://{host}/x", deny=LOOPBACK) is None


BAD_URLS = ["http://127.0.0.1/a b", "http://127.0.0.1/a\r\nX-Injected: 1", "http://127.0.0.1/a\x00b",
            "http://exämple.com/x", "http://127.0.0.1/\u00e9", "http://127.0.0.1/a\tb"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_control_characters_spaces_and_non_ascii_are_refused(url):
    assert refusal(url) is not None


@pytest.mark.parametrize("url", BAD_URLS[:4])
def test_a_send_with_such_a_callback_is_the_vendors_400_and_not_stored(app_factory, url):
    client = app_factory()
    path, headers, _, error_field = send_case("smscpr")
    body = {"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
            "to": "+15550002222", "body": "hi", "callbackUrl": url}
    resp = client.post(path, json=body, headers=headers)
    assert resp.status_code == 400 and error_field in resp.json(), resp.text
    assert client.get("/_mock/messages", params={"provider": "smscpr"}).json()["items"] == []


@pytest.mark.parametrize("url", BAD_URLS[:3])
def test_the_control_api_refuses_such_a_url_with_a_422(sandbox, url):
    resp = sandbox.patch("/_mock/accounts/cast-demo", json={"dlr_url": url})
    assert resp.status_code == 422
    assert sandbox.get("/_mock/accounts/cast-demo").json()["dlr_url"] is None
