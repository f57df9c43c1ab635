"""The browser login (issue 24, finding 9): each login opens its own random session, which expires and
which /_logout revokes (the cookie was one fixed value forever), and guessing is limited per client."""

from __future__ import annotations

import time

import pytest

TOKEN = "s3cret-token"
COOKIE = "mockserver_control"


@pytest.fixture
def locked(app_factory):
    return app_factory(control_token=TOKEN)


def _login(client) -> str:
    ok = client.post("/_login", data={"token": TOKEN, "next": "/"}, follow_redirects=False)
    assert ok.status_code == 303
    return client.cookies[COOKIE]


def test_each_login_gets_its_own_session_and_logout_revokes_it(locked):
    first = _login(locked)
    locked.cookies.clear()
    second = _login(locked)
    assert first != second and TOKEN not in first
    locked.get("/_logout", follow_redirects=False)  # revokes `second` on the server
    locked.cookies.set(COOKIE, second)  # a copy of the cookie kept elsewhere
    assert locked.get("/_mock/accounts").status_code == 401
    locked.cookies.set(COOKIE, first)  # the other login is still valid
    assert locked.get("/_mock/accounts").status_code == 200


def test_a_session_expires(app_factory):
    client = app_factory(control_token=TOKEN, session_ttl=0.3)
    _login(client)
    assert client.get("/_mock/accounts").status_code == 200
    time.sleep(0.6)
    assert client.get("/_mock/accounts").status_code == 401


def test_login_attempts_are_limited_per_client(app_factory):
    client = app_factory(control_token=TOKEN, login_attempts_per_minute=5)
    answers = [client.post("/_login", data={"token": f"guess{i}"}, follow_redirects=False).status_code
               for i in range(7)]
    assert answers == [401] * 5 + [429] * 2
    limited = client.post("/_login", data={"token": TOKEN}, follow_redirects=False)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert COOKIE not in client.cookies


def test_the_login_page_may_not_be_framed(locked):
    page = locked.get("/_login")
    assert page.headers["x-frame-options"] == "DENY"
