"""The inbox in a real browser: deleting a message from its detail page with the keyboard only
(confirmation dialog), back on the list; another open list drops the row live on `message.deleted`."""

from __future__ import annotations

import pytest

from tests.browser import launch_browser, new_offline_page
from tests.ui.kit import send_cast
from tests.ui.test_browser_inbox import shots_dir


@pytest.fixture
def browser():
    with launch_browser() as b:
        yield b


def _open(browser, url: str):
    page = new_offline_page(browser, viewport={"width": 1280, "height": 860})
    page.goto(url)
    page.wait_for_selector('body[data-live="open"]', timeout=5000)
    return page


def test_delete_from_the_detail_with_the_keyboard_drops_the_row_everywhere(live, browser):
    c = live.client()
    send_cast(c, text="delete me 111222")
    send_cast(c, to="09171234568", text="keep me")
    watcher = _open(browser, live.url + "/")
    assert watcher.locator(".row").count() == 2

    page = _open(browser, live.url + "/inbox/messages/1")
    page.focus("#delete-open")
    page.keyboard.press("Enter")
    page.wait_for_selector("#delete-dialog[open]")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Cancel"  # the safe choice first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "delete-confirm"
    page.screenshot(path=str(shots_dir() / "delete-confirm.png"))
    page.keyboard.press("Enter")

    page.wait_for_url(live.url + "/", timeout=3000)
    assert [r.get_attribute("data-id") for r in page.locator(".row").all()] == ["2"]
    watcher.wait_for_selector('.row[data-id="1"]', state="detached", timeout=2000)  # live, no reload
    assert watcher.locator(".row").count() == 1
    assert c.get("/_mock/messages/1").status_code == 404
    assert page.blocked_requests == [] and watcher.blocked_requests == []
