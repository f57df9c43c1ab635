"""The URL check of EngageLab's callback page (vendor-contracts §3.2): the {} probe must get HTTP 200 within
3 s (any other status, 204 included, or a slower answer refuses the URL), and an Authorization value set in
the same request as the URL is already sent on the probe."""

from __future__ import annotations

import pytest

from tests.providers.engagelab.kit import ACCOUNT, set_callback


def dlr_url(client) -> str | None:
    return client.get(f"/_mock/accounts/{ACCOUNT}").json()["dlr_url"]


@pytest.mark.parametrize("status", [201, 204, 301, 404, 500])
def test_any_status_but_200_refuses_the_url(client, receiver, status):
    receiver.script = [status]
    resp = set_callback(client, receiver.url())
    assert resp.status_code == 400
    assert resp.json()["detail"] == f"callback URL check failed: {receiver.url()} answered HTTP {status}; expected 200"
    assert dlr_url(client) is None


def test_200_accepts_the_url(client, receiver):
    assert set_callback(client, receiver.url()).status_code == 200
    assert dlr_url(client) == receiver.url() and receiver.bodies() == [{}]


def test_an_answer_slower_than_3_seconds_refuses_the_url(client, receiver):
    receiver.delay = 3.4
    resp = set_callback(client, receiver.url())
    assert resp.status_code == 400
    assert resp.json()["detail"] == f"callback URL check failed: {receiver.url()} did not answer within 3 s"
    assert dlr_url(client) is None


def test_authorization_configured_with_the_url_is_sent_on_the_probe(client, receiver):
    resp = set_callback(client, receiver.url(), callback_authorization="Bearer set-together")
    assert resp.status_code == 200, resp.text
    [probe] = receiver.requests
    assert probe["headers"]["Authorization"] == "Bearer set-together"
    assert resp.json()["extra"]["callback_authorization"] == "Bearer set-together"


def test_a_refused_url_leaves_the_authorization_unchanged(client, receiver):
    receiver.script = [204]
    assert set_callback(client, receiver.url(), callback_authorization="Bearer x").status_code == 400
    assert "callback_authorization" not in client.get(f"/_mock/accounts/{ACCOUNT}").json()["extra"]
