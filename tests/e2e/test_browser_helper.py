"""tests/browser.py itself: what counts as local, skip locally / fail on CI, and the offline guard."""

from __future__ import annotations

import http.server
import threading

import pytest

from tests import browser as helper


def test_only_loopback_and_non_network_schemes_are_local():
    assert helper.is_local("http://127.0.0.1:8000/x") and helper.is_local("http://localhost/")
    assert helper.is_local("http://[::1]:9/") and helper.is_local("data:image/png;base64,AAAA")
    assert not helper.is_local("https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css")
    assert not helper.is_local("http://127.0.0.1.nip.io/") and not helper.is_local("http://10.0.0.1/")


def test_missing_browser_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        helper.unavailable("no chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run on CI: no chromium"):
        helper.unavailable("no chromium")


def test_offline_page_aborts_and_records_external_requests():
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p id=p>local</p><img src='https://cdn.example.com/x.png'>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with helper.launch_browser() as browser:
            page = helper.new_offline_page(browser)
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            page.wait_for_load_state("networkidle")
            assert page.text_content("#p") == "local"
            assert page.blocked_requests == ["https://cdn.example.com/x.png"]
    finally:
        server.shutdown()
