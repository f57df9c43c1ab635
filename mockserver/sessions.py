"""Browser sign-in state of the server-wide guard (guards.py): a random session per login that
expires and that /_logout revokes, and a per-client limit on login attempts (a token guessed at
thousands per second was a matter of time). In memory: a restart signs everyone out."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict


class Sessions:
    """Random session ids, each valid for `ttl` seconds after its login; at most `cap` alive (the
    oldest goes first)."""

    def __init__(self, ttl: float, cap: int = 10_000) -> None:
        self.ttl, self.cap = ttl, cap
        self._expires: OrderedDict[str, float] = OrderedDict()

    def open(self) -> str:
        session = secrets.token_urlsafe(32)
        self._expires[session] = time.monotonic() + self.ttl
        while len(self._expires) > self.cap:
            self._expires.popitem(last=False)
        return session

    def valid(self, session: str) -> bool:
        expires = self._expires.get(session)
        if expires is None:
            return False
        if expires <= time.monotonic():
            del self._expires[session]
            return False
        return True

    def revoke(self, session: str) -> None:
        self._expires.pop(session, None)


class LoginThrottle:
    """At most `attempts` login tries per client address in any `window` seconds (a sliding count
    of the last ones); beyond, the client waits for the oldest to age out."""

    def __init__(self, attempts: int, window: float = 60.0, cap: int = 10_000) -> None:
        self.attempts, self.window, self.cap = attempts, window, cap
        self._tries: OrderedDict[str, list[float]] = OrderedDict()

    def retry_after(self, client: str) -> float:
        """0 when `client` may try now (the try is counted), else the seconds to wait."""
        now = time.monotonic()
        tries = [t for t in self._tries.pop(client, []) if t > now - self.window]
        self._tries[client] = tries
        while len(self._tries) > self.cap:
            self._tries.popitem(last=False)
        if len(tries) >= self.attempts:
            return max(1.0, tries[0] + self.window - now)
        tries.append(now)
        return 0.0
