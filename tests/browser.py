"""Browser-test helpers: Debian's chromium driven by Playwright for Python, offline (only 127.0.0.1/localhost).

Usage from a test (sync API; test functions stay plain `def`):

    with launch_browser() as browser:
        page = new_offline_page(browser)
        page.goto(url)
        assert page.blocked_requests == []

Without chromium or playwright the test is SKIPPED locally with a reason, and FAILS when `CI` is set,
so a CI machine that lost its browser cannot pass by skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# Flags that keep Debian chromium from phoning home on a closed network (each attempt would be refused).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# Schemes that never leave the page: they cannot reach the network, so they are never blocked.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension", "devtools"})


def unavailable(reason: str) -> None:
    """Skip the calling test locally, fail it on CI (`CI` set): a browser test must run in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's chromium (`apt-get install chromium`, done by .ci/run), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def is_local(url: str) -> bool:
    """True for a URL that stays on this machine (loopback host or a non-network scheme)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@contextlib.contextmanager
def launch_browser(headless: bool = True) -> Iterator[Any]:
    """Launch Debian chromium through Playwright and yield the Playwright `Browser`; closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        unavailable("chromium is not installed (apt-get install chromium; .ci/run does it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=headless, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_offline_page(browser: Any, **context_options: Any) -> Any:
    """A page in a fresh context whose requests off this machine are aborted and recorded in
    `page.blocked_requests` (a list of URLs), so a test can assert nothing tried to leave."""
    context = browser.new_context(**context_options)
    blocked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.blocked_requests = blocked
    return page


def screenshot_dir(name: str) -> Path:
    """A folder under the system tmp for a test's screenshots; its path is printed so a human can look."""
    folder = Path(tempfile.gettempdir()) / "mockserver-screenshots" / name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder
