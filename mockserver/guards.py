"""Server-wide guards, one ASGI middleware around the whole app (create_app): hands the JSON depth
limit to every mount, answers only allowed Host names (421), refuses cross-site state changes to
everything that is not a provider API (403; sitecheck.py), keeps those pages out of frames, and, when
MOCKSERVER_CONTROL_TOKEN is set, locks them (the control API but /_mock/health, the index page, the UI)
behind a bearer token or a browser login session (sessions.py). Provider APIs keep their vendors' own
auth and are never affected but by the Host check."""

from __future__ import annotations

import hmac
import html
import urllib.parse
from typing import Any, Iterable

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from mockserver.limits import DEPTH_SCOPE_KEY
from mockserver.sessions import LoginThrottle, Sessions
from mockserver.settings import Settings
from mockserver.sitecheck import HostAllowList, cross_site_reason

LOGIN_PATH, LOGOUT_PATH = "/_login", "/_logout"
COOKIE = "mockserver_control"
#: Open with a token set: container healthchecks must keep working without it.
ALWAYS_OPEN = frozenset({"/_mock/health", LOGIN_PATH, LOGOUT_PATH})
MAX_LOGIN_BODY = 4096
#: On every page and answer that is not a provider API: no other site may frame it (clickjacking).
FRAME_HEADERS = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'")]


class ServerGuard:
    """Pure ASGI middleware around every mount (see the module docstring)."""

    def __init__(self, app: Any, settings: Settings, open_prefixes: Iterable[str] = ()) -> None:
        self.app, self.depth = app, settings.max_json_depth
        self.token = settings.control_token or None
        self.sessions = Sessions(settings.session_ttl)
        self.throttle = LoginThrottle(settings.login_attempts_per_minute)
        self.hosts = HostAllowList(settings.allowed_hosts)
        self.open_prefixes = tuple(p.rstrip("/") for p in open_prefixes)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        scope[DEPTH_SCOPE_KEY] = self.depth
        if not self.hosts.allows(_host(scope)):
            return await _refuse(scope, receive, send, 421, "this sandbox does not answer that Host name: "
                                 "list it in MOCKSERVER_ALLOWED_HOSTS")
        path = scope["path"]
        if self.is_api(path):
            return await self.app(scope, receive, send)
        if scope["type"] == "http":
            send = _framed(send)
            reason = cross_site_reason(scope["method"], _headers(scope), form_ok=path == LOGIN_PATH)
            if reason is not None:
                return await _refuse(scope, receive, send, 403, reason)
        if self.token is None or self.is_open(path):
            if self.token is not None and path in (LOGIN_PATH, LOGOUT_PATH) and scope["type"] == "http":
                return await self.login_page(scope, receive, send)
            return await self.app(scope, receive, send)
        if self.authorized(scope):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        return await self.deny(scope)(scope, receive, send)

    def is_api(self, path: str) -> bool:
        """A provider API (or the static assets): vendors' own auth, no browser rules."""
        return _is_bin_capture(path) or any(path == p or path.startswith(p + "/") for p in self.open_prefixes)

    def is_open(self, path: str) -> bool:
        if path in ALWAYS_OPEN or _is_bin_capture(path):
            return True
        return any(path == p or path.startswith(p + "/") for p in self.open_prefixes)

    def authorized(self, scope: dict) -> bool:
        headers = _headers(scope)
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and given:
            return hmac.compare_digest(given.strip().encode(), self.token.encode())
        return self.sessions.valid(_cookies(headers.get("cookie", "")).get(COOKIE, ""))

    def deny(self, scope: dict) -> Response:
        """A browser asking for a page goes to the login form; anything else gets a plain 401."""
        headers = _headers(scope)
        if scope["method"] in ("GET", "HEAD") and "text/html" in headers.get("accept", ""):
            target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
            return RedirectResponse(f"{LOGIN_PATH}?{urllib.parse.urlencode({'next': target})}", status_code=303)
        return JSONResponse({"detail": "control token required: send 'Authorization: Bearer <MOCKSERVER_CONTROL_TOKEN>'"},
                            status_code=401, headers={"WWW-Authenticate": 'Bearer realm="mockserver control"'})

    async def login_page(self, scope: dict, receive: Any, send: Any) -> None:
        """GET: the form; POST: check the token, open a session in an HttpOnly cookie and go on (a few
        tries a minute per client); /_logout: revoke the session and drop the cookie."""
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope["path"] == LOGOUT_PATH:
            self.sessions.revoke(_cookies(_headers(scope).get("cookie", "")).get(COOKIE, ""))
            response: Response = RedirectResponse(LOGIN_PATH, status_code=303)
            response.delete_cookie(COOKIE, path="/")
        elif scope["method"] == "POST":
            wait = self.throttle.retry_after((scope.get("client") or ("?",))[0])
            if wait:
                response = HTMLResponse(_form("/", "Too many sign-in attempts: wait a minute."), status_code=429,
                                        headers={"Retry-After": str(int(wait + 0.999))})
                return await response(scope, receive, send)
            form = urllib.parse.parse_qs((await _read_small(receive, MAX_LOGIN_BODY)).decode("utf-8", "replace"))
            given, target = form.get("token", [""])[0], _safe_next(form.get("next", ["/"])[0])
            if hmac.compare_digest(given.encode(), self.token.encode()):
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(COOKIE, self.sessions.open(), httponly=True, samesite="strict", path="/",
                                    max_age=max(1, int(self.sessions.ttl)), secure=scope.get("scheme") == "https")
            else:
                response = HTMLResponse(_form(target, "Wrong token."), status_code=401)
        else:
            response = HTMLResponse(_form(_safe_next(query.get("next", ["/"])[0]), ""))
        await response(scope, receive, send)


async def _refuse(scope: dict, receive: Any, send: Any, status: int, detail: str) -> None:
    if scope["type"] == "websocket":
        return await send({"type": "websocket.close", "code": 1008})
    await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)


def _framed(send: Any) -> Any:
    async def framed(message: dict) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *FRAME_HEADERS]}
        await send(message)
    return framed


def _host(scope: dict) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == b"host":
            return value
    return None


def _is_bin_capture(path: str) -> bool:
    """A request INTO a bin (`/_mock/bins/<name>[/...]`) is a webhook arriving: open, like a provider API.
    Reading a bin (`/_mock/bins`, `.../requests`) stays behind the token."""
    head, _, rest = path.partition("/_mock/bins/")
    return head == "" and rest != "" and not rest.rstrip("/").endswith("/requests") and "/" not in rest.split("/", 1)[0]


def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return {name: value for name, _, value in pairs if name}


def _safe_next(target: str) -> str:
    """Only a path on this server: never an open redirect to another host."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


async def _read_small(receive: Any, limit: int) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit or not message.get("more_body", False):
            return body[:limit]


def _form(target: str, error: str) -> str:
    note = f'<p class="err">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>SMS sandbox: sign in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto}}input{{width:100%;padding:.4rem}}
.err{{color:#b00}}</style></head><body><h1>SMS sandbox</h1>
<p>This sandbox's control plane needs its token (MOCKSERVER_CONTROL_TOKEN).</p>{note}
<form method="post" action="{LOGIN_PATH}"><input type="hidden" name="next" value="{html.escape(target)}">
<label>Token <input type="password" name="token" autocomplete="current-password" autofocus></label>
<p><button type="submit">Sign in</button></p></form></body></html>"""
