"""The inbox in a real browser (Debian chromium via Playwright, offline): messages sent through each
provider's API appear live; detail, copy OTP, thread reply (MO at a local receiver), force status,
clock advance, failed webhook redelivery, reset. Writes a screenshot of every page."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from tests.browser import launch_browser, new_offline_page
from tests.ui.kit import send_cast, send_engagelab, send_mesms, send_smscpr


def shots_dir() -> Path:
    folder = Path(os.environ.get("MOCKSERVER_SCREENSHOTS") or Path(tempfile.gettempdir()) / "inbox-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser():
    with launch_browser() as b:
        yield b


def _page(browser, width: int = 1280, height: int = 860):
    page = new_offline_page(browser, viewport={"width": width, "height": height})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return page


def _appears(page, selector: str, timeout_ms: int = 30_000) -> float:
    """Wait for `selector`; returns how long it took (ms) from the call."""
    started = time.monotonic()
    page.wait_for_selector(selector, timeout=timeout_ms)
    return (time.monotonic() - started) * 1000


def _wait_stream(page) -> None:
    """The page's EventSource is open (so an event sent now reaches it)."""
    page.wait_for_selector('body[data-live="open"]', timeout=5000)


def test_sends_through_every_provider_appear_live(live, browser):
    page = _page(browser)
    page.goto(live.url + "/")
    assert page.locator(".row").count() == 0
    _wait_stream(page)
    c = live.client()
    timings = []
    for i, send in enumerate((send_cast, send_smscpr, send_mesms, send_engagelab), start=1):
        send(c)
        timings.append(_appears(page, f'.row[data-id="{i}"]'))
    rows = page.locator(".row")
    assert rows.count() == 4
    assert [b.inner_text() for b in page.locator(".row .badge").all()] == ["engagelab", "mesms", "smscpr", "cast"]
    assert page.locator('.row[data-id="3"] .c-to').inner_text() == "2 recipients"
    assert page.locator('.row[data-id="1"] .otp').inner_text() == "123456"
    print(f"live rows appeared after {', '.join(f'{t:.0f}' for t in timings)} ms")
    # Each row appeared live (waited for with a generous timeout); how fast is a figure, not an assert here.
    # Fixed-height rows: arriving events do not resize what is on screen.
    assert {round(b.bounding_box()["height"]) for b in rows.all()} == {42}
    page.screenshot(path=str(shots_dir() / "list.png"))
    narrow = _page(browser, width=390, height=800)
    narrow.goto(live.url + "/")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    narrow.screenshot(path=str(shots_dir() / "list-narrow.png"))
    assert page.blocked_requests == [] and narrow.blocked_requests == []


def test_search_box_finds_a_number_in_any_written_form(live, browser):
    c = live.client()
    send_cast(c, to="09171234567")
    send_smscpr(c)
    page = _page(browser)
    for query in ("+63 917 123 4567", "639171234567", "0917-123-4567"):
        page.goto(live.url + "/")
        page.fill("#q", query)
        page.press("#q", "Enter")
        page.wait_for_url("**q=*")
        assert page.locator(".row").count() == 1, query
        assert page.locator('.row[data-id="1"]').count() == 1


def test_detail_copy_otp_force_status_and_thread_ticks(live, browser, receiver):
    c = live.client()
    send_cast(c)
    page = _page(browser)
    page.goto(live.url + "/")
    page.click('.row[data-id="1"] .row-link')
    page.wait_for_url("**/inbox/messages/1")
    assert "GSM-7" in page.inner_text(".facts")
    page.click("#copy-otp")
    assert page.evaluate("navigator.clipboard.readText()") == "123456"
    # Force 'sent': the status chip changes without a reload.
    page.select_option("#force-status", "sent")
    page.click(".force button[type=submit]")
    page.wait_for_selector('.counts .chip[data-status="sent"]')
    page.screenshot(path=str(shots_dir() / "detail.png"), full_page=True)
    # The thread shows one tick for 'sent'; forcing 'delivered' elsewhere turns it into two, live.
    page.goto(live.url + "/inbox/threads/09171234567")
    assert page.inner_text(".bubble.out .ticks") == "✓"
    _wait_stream(page)
    assert c.post("/_mock/messages/1/status", json={"status": "delivered"}).status_code == 200
    page.wait_for_selector(".bubble.out .ticks.delivered", timeout=2000)
    assert page.inner_text(".bubble.out .ticks") == "✓✓"


def test_reply_from_thread_reaches_the_mo_url(live, browser, receiver):
    c = live.client()
    send_cast(c)
    page = _page(browser)
    # Set the MO URL the way a user would: on the accounts page.
    page.goto(live.url + "/inbox/accounts")
    card = page.locator('.account[data-account-id="cast-demo"]')
    card.locator("input[name=mo_url]").fill(receiver.url("/mo"))
    card.locator(".callbacks button[type=submit]").click()
    page.wait_for_selector("#toast.show:not(.bad)")
    assert c.get("/_mock/accounts/cast-demo").json()["mo_url"] == receiver.url("/mo")
    page.screenshot(path=str(shots_dir() / "accounts.png"))
    page.goto(live.url + "/inbox/threads/09171234567")
    _wait_stream(page)
    page.fill("#reply-body", "STOP please")
    page.press("#reply-body", "Enter")
    page.wait_for_selector(".bubble.in >> text=STOP please", timeout=2000)
    mo = receiver.bodies("/mo")
    assert len(mo) == 1 and mo[0]["event"] == "message.inbound" and mo[0]["message"] == "STOP please"
    assert mo[0]["from"] == "09171234567" and mo[0]["to"] == "MYAPP"
    page.screenshot(path=str(shots_dir() / "thread.png"))


def test_advancing_the_clock_delivers_a_pending_message(live, browser):
    c = live.client()
    send_smscpr(c)
    page = _page(browser)
    page.goto(live.url + "/")
    assert page.inner_text('.row[data-id="1"] .c-status') == "queued"
    _wait_stream(page)
    before = page.inner_text("#clock-time")
    page.click("text=+1 min")
    page.wait_for_selector('.row[data-id="1"] .chip[data-status="delivered"]', timeout=2000)
    # The stream can bring the delivered chip before the advance's own answer swaps the clock in
    # (the walk publishes each step as it runs), so wait for the clock rather than read it once.
    page.wait_for_function(
        "before => document.getElementById('clock-time').textContent.trim() !== before",
        arg=before.strip(),
        timeout=5000,
    )


def test_redeliver_a_failed_webhook_then_reset(live, browser, receiver):
    c = live.client()
    receiver.default = 500
    send_smscpr(c, callback=receiver.url("/dlr"))
    for _ in range(4):  # queued -> sent -> delivered, then the retry after its backoff
        c.post("/_mock/clock/advance", json={"seconds": 30})
    failed = c.get("/_mock/webhooks", params={"status": "failed"}).json()["items"]
    assert failed, c.get("/_mock/webhooks").json()
    hook_id = failed[0]["id"]
    page = _page(browser)
    page.goto(live.url + "/inbox/webhooks?status=failed")
    row = page.locator(f'.hook[data-webhook-id="{hook_id}"]')
    row.locator("summary strong").click()  # opens the attempt log (not the Redeliver button)
    row.locator(".attempt").first.wait_for()
    assert "HTTP 500" in row.inner_text()
    page.screenshot(path=str(shots_dir() / "webhooks.png"), full_page=True)
    receiver.default = 200
    row.locator("button[data-post]").click()
    page.wait_for_selector(f'.hook[data-webhook-id="{hook_id}"]', state="detached", timeout=3000)
    assert c.get(f"/_mock/webhooks/{hook_id}").json()["status"] == "delivered"
    assert receiver.requests[-1]["path"] == "/dlr"
    # Reset everything from the header, with confirmation; the list empties live.
    page.goto(live.url + "/")
    assert page.locator(".row").count() == 1
    page.click("text=Reset…")
    page.select_option("#reset-scope", "")
    page.click("#reset-confirm")
    page.wait_for_selector(".row", state="detached", timeout=3000)
    assert c.get("/_mock/messages").json()["items"] == []


def test_keyboard_search_move_and_open(live, browser):
    c = live.client()
    send_cast(c)
    send_smscpr(c)
    page = _page(browser)
    page.goto(live.url + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.closest('.row').dataset.id") == "1"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.closest('.row').dataset.id") == "2"
    page.keyboard.press("Enter")
    page.wait_for_url("**/inbox/messages/2")
