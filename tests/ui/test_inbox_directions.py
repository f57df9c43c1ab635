"""Issue 25, inbox: MO messages in the inbox list with a direction badge, the unread count behind the nav badge,
and /credentials as an inbox page (same navigation, the real base URL, copy buttons, Swagger links)."""

from __future__ import annotations

import re

from tests.ui.kit import CAST_KEY, send_cast
from tests.vendors import VENDORS


def inject(inbox, body: str, sender: str = "09171234567") -> dict:
    resp = inbox.post("/_mock/inbound", json={"provider": "cast", "account_id": "cast-demo", "from": sender,
                                              "to": "MYAPP", "body": body})
    assert resp.status_code == 201, resp.text
    return resp.json()


def directions(html: str) -> list[tuple[str, str]]:
    """(direction, text) of every row, in page order."""
    rows = re.findall(r'data-direction="(in|out)">.*?<span class="c-text">([^<]*)</span>', html, flags=re.S)
    return [(d, text) for d, text in rows]


def test_inbound_messages_are_in_the_list_by_time_with_a_direction_badge(inbox):
    send_cast(inbox, text="first out")
    inbox.post("/_mock/clock/advance", json={"seconds": 5})
    inject(inbox, "a reply")
    inbox.post("/_mock/clock/advance", json={"seconds": 5})
    send_cast(inbox, text="second out")
    page = inbox.get("/").text
    assert directions(page) == [("out", "second out"), ("in", "a reply"), ("out", "first out")]
    assert '<span class="dir in"' in page and re.search(r'href="/inbox/threads/\+?6?3?0?9171234567"', page)
    # searching finds the MO by its text; a status filter is about outbound recipients only
    assert directions(inbox.get("/", params={"q": "reply"}).text) == [("in", "a reply")]
    assert directions(inbox.get("/", params={"status": "queued"}).text) == [("out", "second out")]
    assert directions(inbox.get("/", params={"provider": "mesms"}).text) == []


def test_an_older_page_shows_the_inbound_messages_of_its_own_time_span(inbox):
    inject(inbox, "oldest reply")
    for i in range(55):
        inbox.post("/_mock/clock/advance", json={"seconds": 1})
        send_cast(inbox, text=f"m{i}")
        if i == 2:
            inbox.post("/_mock/clock/advance", json={"seconds": 0.5})
            inject(inbox, "middle reply")  # between m2 and m3: on the second page (m4..m0)
    first, second = inbox.get("/").text, inbox.get("/?cursor=6").text
    assert ("in", "middle reply") not in directions(first) and ("in", "oldest reply") not in directions(first)
    assert [t for d, t in directions(second)] == ["m4", "m3", "middle reply", "m2", "m1", "m0", "oldest reply"]


def test_unread_counts_what_arrived_after_the_ids_the_browser_saw(inbox):
    first = inbox.get("/inbox/unread").json()  # a first visit: nothing unread, the newest ids to remember
    assert first == {"unread": 0, "latest": {"message": 0, "inbound": 0}}
    send_cast(inbox)
    inject(inbox, "hi")
    assert inbox.get("/inbox/unread", params={"message": 0, "inbound": 0}).json()["unread"] == 2
    seen = inbox.get("/inbox/unread", params={"message": 1, "inbound": 0}).json()
    assert seen == {"unread": 1, "latest": {"message": 1, "inbound": 1}}
    inbox.post("/_mock/reset", json={})
    # ids from before a reset are above every id now: counted from the start, not stuck at zero forever
    assert inbox.get("/inbox/unread", params={"message": 1, "inbound": 1}).json()["unread"] == 0
    send_cast(inbox)
    assert inbox.get("/inbox/unread", params={"message": 5, "inbound": 5}).json()["unread"] == 1
    assert '<span id="unread-count" class="nav-count"' in inbox.get("/inbox/accounts").text


def test_credentials_is_an_inbox_page_with_this_servers_base_urls(inbox):
    page = inbox.get("/credentials").text
    assert '<a href="/credentials" aria-current="page">Credentials</a>' in page  # the inbox's own navigation
    assert 'sse-connect="/_mock/stream"' in page and "HOST:PORT" not in page
    for name in VENDORS:
        assert f'id="{name}-base" data-kind="base-url">http://testserver/{name}</code>' in page
        assert f'href="/{name}/docs"' in page
    assert f'data-kind="key">{CAST_KEY}</code>' in page
    assert 'data-target="engagelab-secret-0"' in page


def test_swagger_descriptions_send_people_to_the_credentials_page(inbox):
    for name in VENDORS:
        description = inbox.get(f"/{name}/openapi.json").json()["info"]["description"]
        assert "(/credentials)" in description, name
