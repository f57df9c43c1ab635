"""The inbox's Requests page (ui/requests.py): every provider request with its answer, "errors only",
the request shown on the message it created; in a real browser, a refused send appears live and opens
the request (as curl) beside the answer."""

from __future__ import annotations

import re

import pytest

from tests.browser import launch_browser, new_offline_page
from tests.ui.kit import CAST_KEY, send_cast
from tests.ui.test_browser_inbox import shots_dir

WRONG_KEY = "cast_" + "1" * 60 + "beef"


def request_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="hook req" data-request-id="(\d+)"', html)]


def test_requests_page_lists_newest_first_and_filters_errors(inbox):
    send_cast(inbox)
    refused = inbox.post("/cast/api/sms/send", headers={"X-API-Key": WRONG_KEY}, json={"to": "0917"})
    assert refused.status_code == 401
    page = inbox.get("/inbox/requests")
    assert page.status_code == 200 and request_ids(page.text) == [2, 1]
    assert WRONG_KEY not in page.text and "cast…beef" in page.text
    errors = inbox.get("/inbox/requests?errors=1")
    assert request_ids(errors.text) == [2] and 'data-status="401"' in errors.text
    assert request_ids(inbox.get("/inbox/requests?provider=mesms").text) == []
    assert request_ids(inbox.get("/inbox/requests/rows?errors=1").text) == [2]


def test_message_detail_shows_the_request_it_came_from(inbox):
    send_cast(inbox, text="journal detail")
    [message] = inbox.get("/_mock/messages").json()["items"]
    html = inbox.get(f"/inbox/messages/{message['id']}").text
    card = html[html.index('id="request-card"'):]
    assert "POST" in card and "/cast/api/sms/send" in card and "journal detail" in card
    assert f'href="/inbox/messages/{message["id"]}"' in card and CAST_KEY not in html


@pytest.fixture
def browser():
    with launch_browser() as b:
        yield b


def test_requests_page_live_in_a_browser(live, browser):
    c = live.client()
    send_cast(c)
    page = new_offline_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(live.url + "/")
    page.click("nav >> text=Requests")
    page.wait_for_url(live.url + "/inbox/requests")
    page.wait_for_selector('body[data-live="open"]', timeout=5000)
    assert page.locator(".req").count() == 1
    c.post("/cast/api/v1/sms/send", headers={"X-API-Key": WRONG_KEY}, json={"to": "09171234567", "message": "hi"})
    page.wait_for_selector(".req >> nth=1", timeout=5000)  # arrived live, no reload
    first = page.locator(".req").first
    assert first.locator("[data-status]").first.inner_text() == "401"
    first.locator("summary").first.click()
    assert "curl -X POST" in first.locator("pre.curl").inner_text()
    assert "cast…beef" in first.locator("pre.curl").inner_text()
    assert '"error_code": "INVALID_API_KEY"' in first.locator("section[aria-label=Answer]").inner_text()
    page.check("#req-errors")
    page.wait_for_url(re.compile(r".*errors=1.*"))
    assert page.locator(".req").count() == 1
    page.locator(".req").first.locator("summary").first.click()
    page.screenshot(path=str(shots_dir() / "requests.png"), full_page=True)
    assert WRONG_KEY not in page.content()
    assert page.blocked_requests == []
