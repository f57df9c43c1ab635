"""No page the server serves references anything outside the server: every HTML page (index, each
Swagger UI, redirects followed) and the assets it loads are scanned for external URLs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from mockserver.docs_assets import ASSETS, ASSET_PREFIX

URL_ATTRS = {"src", "href", "action", "poster", "srcset", "data", "formaction", "background"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
JS_URL = re.compile(r"""['"`]((?:https?:)?//[^'"`\s]+)['"`]|import\s*\(?\s*['"]([^'"]+)['"]""")


class Refs(HTMLParser):
    """Every URL an HTML page would make the browser load or follow, plus inline script/style text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRS and value:
                self.urls += [v.strip().split(" ")[0] for v in value.split(",")] if name == "srcset" else [value]
            if name == "style" and value:
                self.inline.append(("style", value))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in:
            self.inline.append((self._in, data))


def embedded_urls(kind: str, text: str) -> list[str]:
    pattern = CSS_URL if kind == "style" else JS_URL
    return [a or b for a, b in pattern.findall(text)]


def is_external(page_url: str, ref: str) -> bool:
    if ref.startswith(("data:", "blob:", "#", "javascript:", "about:")):
        return False
    return urlsplit(urljoin(page_url, ref)).netloc not in ("testserver", "")


def html_pages(app) -> list[str]:
    """Every parameterless GET path of the app and its mounted sub-apps (one level: how we mount)."""
    paths = []
    routes = list(app.router.routes)
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI >= 0.16x keeps an included router as one entry
            routes += route.original_router.routes  # the inbox includes its routers without a prefix
        elif isinstance(route, Mount):
            for sub in getattr(getattr(route.app, "router", None), "routes", ()):  # StaticFiles has none
                if isinstance(sub, Route) and "GET" in (sub.methods or ()) and "{" not in sub.path:
                    paths.append(route.path + sub.path)
        elif isinstance(route, Route) and "GET" in (route.methods or ()) and "{" not in route.path:
            paths.append(route.path)
    return paths


def external_refs(client: TestClient, path: str) -> tuple[bool, list[str]]:
    resp = client.get(path)
    if "text/html" not in resp.headers.get("content-type", ""):
        return False, []
    parser = Refs()
    parser.feed(resp.text)
    refs = parser.urls + [u for kind, text in parser.inline for u in embedded_urls(kind, text)]
    page = str(resp.url)
    return True, [r for r in refs if is_external(page, r)]


def test_every_html_page_references_only_this_server(e2e_client: TestClient):
    pages = html_pages(e2e_client.app)
    scanned, offenders = [], {}
    for path in pages:
        is_html, bad = external_refs(e2e_client, path)
        scanned += [path] if is_html else []
        if bad:
            offenders[path] = bad
    assert offenders == {}
    expected = {"/", "/cast/docs", "/smscpr/docs", "/mesms/docs", "/engagelab/docs", "/_mock/docs"}
    assert expected <= set(scanned), scanned


def test_the_scanner_catches_cdn_assets():
    parser = Refs()
    parser.feed("<link href='https://cdn.jsdelivr.net/x.css'><img srcset='/a.png 1x, //cdn.x/b.png 2x'>"
                "<script>SwaggerUIBundle({url: 'https://petstore.swagger.io/v2/swagger.json'})</script>"
                "<style>@import 'https://fonts.googleapis.com/css';</style>")
    refs = parser.urls + [u for kind, text in parser.inline for u in embedded_urls(kind, text)]
    assert [r for r in refs if is_external("http://testserver/docs", r)] == [
        "https://cdn.jsdelivr.net/x.css", "//cdn.x/b.png", "https://petstore.swagger.io/v2/swagger.json",
        "https://fonts.googleapis.com/css"]


def test_swagger_assets_and_favicon_are_served_locally(e2e_client: TestClient):
    for name, media in ASSETS.items():
        resp = e2e_client.get(f"{ASSET_PREFIX}/{name}")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith(media) and len(resp.content) > 500
    css = e2e_client.get(f"{ASSET_PREFIX}/swagger-ui.css").text
    assert [u for u in embedded_urls("style", css) if is_external("http://testserver/", u)] == []
    assert e2e_client.get("/favicon.ico").headers["content-type"] == "image/png"
    assert e2e_client.get(f"{ASSET_PREFIX}/../../etc/passwd").status_code == 404


def test_control_docs_have_try_it_on_and_redoc_redirects(e2e_client: TestClient):
    page = e2e_client.get("/_mock/docs").text
    assert '"tryItOutEnabled": true' in page and '"validatorUrl": null' in page
    redoc = e2e_client.get("/_mock/redoc", follow_redirects=False)
    assert redoc.status_code == 307 and redoc.headers["location"] == "/_mock/docs"
