"""Which callback URLs the sandbox may call: http and https only, and, for shared deployments,
MOCKSERVER_WEBHOOK_ALLOW_HOSTS / MOCKSERVER_WEBHOOK_DENY_HOSTS (host globs like "*.example.com", or
CIDRs like "10.0.0.0/8", matched against the host and, for CIDRs, the addresses it resolves to).
Both empty by default: localhost and host.docker.internal are the normal use of a sandbox.
Rules match the canonical address, not the spelling (IPv4-mapped IPv6, 0.0.0.0, decimal/octal/hex IPv4,
trailing dots), and one validator serves the entry check and the delivery check."""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import socket
from typing import Iterable
from urllib.parse import urlsplit

from mockserver.core.errors import InvalidState

SCHEMES = ("http", "https")


class InvalidCallbackUrl(InvalidState):
    """A callback URL the sandbox will not call (scheme, or a host the operator's rules exclude).
    An InvalidState so that every provider's ErrorMap.core already answers it as a 4xx in its shape
    (Cast 400 VALIDATION_ERROR, SMSCPR 400, me-sms 409, EngageLab 3003); a bare CoreError was a 500."""

    def __init__(self, reason: str) -> None:
        super().__init__("callback_url", reason)


def refusal(url: str, allow: Iterable[str] = (), deny: Iterable[str] = ()) -> str | None:
    """Why `url` may not be called, or None when it may."""
    if any(not 0x21 <= ord(c) <= 0x7E for c in url):
        return "callback URL holds a control character, a space or a non-ASCII character (percent-encode it)"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return f"callback URL {url[:200]!r} is not a valid URL"
    if parts.scheme.lower() not in SCHEMES:
        return f"callback URL scheme {parts.scheme[:20]!r} is not allowed: http or https only"
    if not host.strip("[]").rstrip("."):
        return "callback URL has no host"
    allow, deny = list(allow), list(deny)
    if not allow and not deny:
        return None
    addresses = _addresses(host, resolve=any("/" in p for p in allow + deny))
    if deny and _matches(host, addresses, deny):
        return f"callback host {host[:200]} is denied (MOCKSERVER_WEBHOOK_DENY_HOSTS)"
    if allow and not _matches(host, addresses, allow):
        return f"callback host {host[:200]} is not in MOCKSERVER_WEBHOOK_ALLOW_HOSTS"
    return None


def check(url: str | None, settings) -> None:
    """Raise InvalidCallbackUrl unless `url` (if any) may be called under these settings."""
    if url:
        reason = refusal(url, settings.webhook_allow_hosts, settings.webhook_deny_hosts)
        if reason is not None:
            raise InvalidCallbackUrl(reason)


async def delivery_refusal(url: str, settings) -> str | None:
    """refusal() for the dispatcher: rules may have changed since the URL was stored; any name
    lookup runs off the event loop."""
    allow, deny = settings.webhook_allow_hosts, settings.webhook_deny_hosts
    if not any("/" in p for p in [*allow, *deny]):
        return refusal(url, allow, deny)
    return await asyncio.to_thread(refusal, url, allow, deny)


def canonical(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list:
    """The addresses a connection to `address` really reaches: an IPv4-mapped (or -compatible) IPv6
    address is its IPv4 one; the unspecified address (0.0.0.0, ::) reaches this host."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif 1 < int(address) < 1 << 32:
            address = ipaddress.IPv4Address(int(address))
    if address.is_unspecified:
        return [address, ipaddress.ip_address("127.0.0.1" if address.version == 4 else "::1")]
    return [address]


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host spells, in any form the system resolver accepts ("0", "2130706433",
    "0177.0.0.1", "0x7f.1", "127.0.0.1.", "[::ffff:7f00:1]"), or None for a name."""
    literal = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(literal.split("%")[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(literal))  # the legacy forms getaddrinfo accepts
    except (OSError, ValueError):
        return None


def _addresses(host: str, resolve: bool) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    literal = literal_address(host)
    if literal is not None:
        return canonical(literal)
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host.rstrip("."), None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []  # unresolvable: the delivery fails as a connection error anyway
    return [a for info in infos for a in canonical(ipaddress.ip_address(info[4][0].split("%")[0]))]


def _matches(host: str, addresses: list, patterns: Iterable[str]) -> bool:
    names = {host, host.rstrip("."), *(str(a) for a in addresses)}
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if "/" in pattern:
            try:
                network = ipaddress.ip_network(pattern, strict=False)
            except ValueError:
                continue
            if any(a.version == network.version and a in network for a in addresses):
                return True
        elif pattern and any(fnmatch.fnmatchcase(name, pattern) for name in names):
            return True
    return False
