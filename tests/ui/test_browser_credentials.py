"""Issue 25 in a real browser: the credentials page in the inbox's chrome (copy buttons copy exactly one
value), MO rows in the live list, and the unread badge counting what arrived while another page was open."""

from __future__ import annotations

import pytest

from tests.browser import launch_browser, new_offline_page
from tests.ui.kit import ENGAGELAB, send_cast
from tests.ui.test_browser_inbox import shots_dir


@pytest.fixture
def browser():
    with launch_browser() as b:
        yield b


def _page(browser):
    page = new_offline_page(browser, viewport={"width": 1280, "height": 860})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return page


def test_credentials_page_copies_the_base_url_and_keys(live, browser):
    page = _page(browser)
    page.goto(live.url + "/credentials")
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Credentials"
    button = page.locator('button[data-target="cast-base"]')
    button.click()
    page.wait_for_function("navigator.clipboard.readText().then(t => t.length > 0)", timeout=3000)
    assert page.evaluate("navigator.clipboard.readText()") == f"{live.url}/cast"
    page.locator('button[data-target="engagelab-secret-0"]').click()
    page.wait_for_function("document.querySelector('button[data-target=\"engagelab-secret-0\"]').textContent === 'copied'",
                           timeout=3000)
    assert page.evaluate("navigator.clipboard.readText()") == ENGAGELAB.credentials["dev_secret"]
    page.screenshot(path=str(shots_dir() / "credentials.png"), full_page=True)
    assert page.blocked_requests == []


def test_unread_badge_counts_arrivals_while_elsewhere_and_clears_on_the_inbox(live, browser):
    page = _page(browser)
    page.goto(live.url + "/")  # a first visit: everything so far counts as seen
    page.wait_for_selector('body[data-live="open"]', timeout=5000)
    page.goto(live.url + "/inbox/webhooks")
    page.wait_for_selector('body[data-live="open"]', timeout=5000)
    c = live.client()
    send_cast(c, text="while you were away")
    assert c.post("/_mock/inbound", json={"provider": "cast", "account_id": "cast-demo", "from": "09171234567",
                                          "to": "MYAPP", "body": "a reply"}).status_code == 201
    page.wait_for_selector("#unread-count:not([hidden])", timeout=5000)
    page.wait_for_function("document.getElementById('unread-count').textContent === '2'", timeout=5000)
    assert page.title().startswith("(2) ")
    page.screenshot(path=str(shots_dir() / "unread-badge.png"))
    page.goto(live.url + "/")
    page.wait_for_selector('.row[data-direction="in"]', timeout=5000)
    page.wait_for_function("document.getElementById('unread-count').hidden", timeout=5000)
    assert not page.title().startswith("(")
    page.screenshot(path=str(shots_dir() / "inbox-with-mo.png"))
