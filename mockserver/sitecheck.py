"""Browser-facing checks of the server-wide guard (guards.py): which Host names the sandbox answers
(DNS rebinding: a page on attacker.example rebound to 127.0.0.1 must not read fixture keys), and which
state-changing requests came from another site (CSRF: a plain HTML form on another port or site)."""

from __future__ import annotations

import fnmatch
import ipaddress
from typing import Iterable

#: Always answered: what real users send (IP literals are matched separately).
DEFAULT_HOSTS = ("localhost", "*.localhost", "host.docker.internal")
#: What an HTML form (or a no-preflight fetch) can send without JavaScript's CORS preflight.
SIMPLE_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def host_name(host_header: str) -> str:
    """The name in a Host header, without port, brackets or trailing dot, lowercased."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    return host.rpartition(":")[0].rstrip(".") if ":" in host else host.rstrip(".")


class HostAllowList:
    """MOCKSERVER_ALLOWED_HOSTS (globs; "*" answers any) on top of the defaults: IP literals,
    localhost and *.localhost, single-label names (compose service names), host.docker.internal."""

    def __init__(self, extra: Iterable[str]) -> None:
        self.patterns = tuple(p.strip().lower().rstrip(".") for p in (*DEFAULT_HOSTS, *extra) if p.strip())
        self.any = "*" in self.patterns
        self._seen: dict[bytes, bool] = {}

    def allows(self, header: bytes | None) -> bool:
        if self.any or header is None:  # no Host (HTTP/1.0): no browser sent it
            return True
        known = self._seen.get(header)
        if known is None:
            known = self._decide(host_name(header.decode("latin-1")))
            if len(self._seen) < 1024:  # each distinct Host once; a flood of names is just decided again
                self._seen[header] = known
        return known

    def _decide(self, name: str) -> bool:
        if not name or "." not in name:
            return True
        try:
            ipaddress.ip_address(name.split("%")[0])
            return True
        except ValueError:
            pass
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)


def cross_site_reason(method: str, headers: dict[str, str], form_ok: bool = False) -> str | None:
    """Why a state-changing browser request is refused (403), or None: the browser says it came from
    another site (Sec-Fetch-Site, Origin), or the body is a simple form where the API expects JSON."""
    if method in SAFE_METHODS:
        return None
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {fetch_site[:40]})"
    origin = headers.get("origin")
    if origin is not None:
        _, _, authority = origin.partition("://")
        if origin == "null" or authority.lower().rstrip("/") != headers.get("host", "").lower():
            return f"cross-site request refused (Origin: {origin[:100]})"
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in SIMPLE_FORM_TYPES and not form_ok:
        return f"a {content_type} body is refused here: send JSON (Content-Type: application/json)"
    return None
