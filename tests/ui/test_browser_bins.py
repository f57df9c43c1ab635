"""The inbox's Bins page in a real browser: reached from the header, a request sent to a bin shows up
live (no reload) with its method, path, headers and pretty JSON body."""

from __future__ import annotations

import pytest

from tests.browser import launch_browser, new_offline_page
from tests.ui.test_browser_inbox import shots_dir


@pytest.fixture
def browser():
    with launch_browser() as b:
        yield b


def test_bins_page_shows_caught_requests_live(live, browser):
    c = live.client()
    c.post("/_mock/bins/smscpr-dlr", json={"msgId": "m1", "status": "DELIVERED"}, headers={"X-Signature": "abc"})
    page = new_offline_page(browser, viewport={"width": 1280, "height": 860})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live.url + "/")
    page.click("nav >> text=Bins")
    page.wait_for_url(live.url + "/inbox/bins")
    page.wait_for_selector('body[data-live="open"]', timeout=5000)
    assert page.locator('.tabs a[aria-current="page"]').inner_text().startswith("smscpr-dlr")
    first = page.locator(".binreq").first
    assert "POST" in first.inner_text() and '"status": "DELIVERED"' in first.locator("pre.json").inner_text()

    c.post("/_mock/bins/smscpr-dlr/receipts?try=2", json={"msgId": "m2", "status": "FAILED", "nested": {"a": [1, 2]}})
    page.wait_for_selector('.binreq:first-child:has-text("/_mock/bins/smscpr-dlr/receipts?try=2")', timeout=2000)
    assert page.locator(".binreq").count() == 2
    page.locator(".binreq").first.locator("summary", has_text="Headers").click()
    assert '"content-type": "application/json"' in page.locator(".binreq").first.inner_text()
    c.post("/_mock/bins/other", content=b"not json")
    page.wait_for_selector('.tabs a[data-bin="other"]', timeout=2000)  # a new bin joins the tabs live
    headers = page.locator('.binreq').first.locator('details[data-keep^="binhdr-"]')
    assert headers.evaluate("d => d.open")  # a live refresh keeps what the reader opened
    page.click("text=Copy URL")
    page.wait_for_function("url => document.body.dataset.lastCopied === url", arg=live.url + "/_mock/bins/smscpr-dlr",
                           timeout=2000)
    page.screenshot(path=str(shots_dir() / "bins.png"), full_page=True)
    assert page.blocked_requests == []
