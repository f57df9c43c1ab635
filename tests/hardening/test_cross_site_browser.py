"""Cross-site requests in a real browser (issue 24, finding 6): a plain HTML form on another port of the
same host cannot freeze the sandbox's clock, while the inbox's own Freeze button still can."""

from __future__ import annotations

import http.server
import threading

import httpx
import pytest

from tests.browser import launch_browser, new_offline_page
from tests.hardening.kit import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("csrf"), {"MOCKSERVER_RATE_LIMIT_ENABLED": "false"})
    yield live
    live.close()


@pytest.fixture
def attacker(server):
    """Another port on 127.0.0.1 serving a page whose form posts to the sandbox on load."""
    page = (f'<!doctype html><form id="f" method="post" action="{server.url}/_mock/clock/freeze"></form>'
            '<script>document.getElementById("f").submit()</script>').encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_a_form_on_another_port_is_refused_and_the_inbox_button_works(server, attacker):
    assert httpx.get(f"{server.url}/_mock/clock").json()["frozen"] is False
    with launch_browser() as browser:
        evil = new_offline_page(browser)
        with evil.expect_navigation(url=f"{server.url}/_mock/clock/freeze"):
            evil.goto(attacker)
        assert "refused" in evil.content()
        assert httpx.get(f"{server.url}/_mock/clock").json()["frozen"] is False
        page = new_offline_page(browser)
        page.goto(server.url + "/")
        page.click("button[data-post='/_mock/clock/freeze']")
        page.wait_for_selector(".clock[data-frozen='true']", timeout=10_000)
        assert httpx.get(f"{server.url}/_mock/clock").json()["frozen"] is True
        assert page.blocked_requests == [] and evil.blocked_requests == []
