"""Local stand-in for tests/browser.py (written on another branch; the lead drops this file at merge):
same API. Debian's chromium through Playwright, requests off 127.0.0.1 aborted and recorded;
skipped locally without a browser, failed when `CI` is set."""

from __future__ import annotations

import contextlib
import os
import shutil
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def launch_browser(headless: bool = True) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=headless, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_offline_page(browser: Any, **context_options: Any) -> Any:
    context = browser.new_context(**context_options)
    blocked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or (parts.hostname or "") in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.blocked_requests = blocked
    return page
