"""Store versions read once per request. The read cache (core/store/cache.py) checks its counter row before
every lookup, and one send looks up three or four things (the key, the account, its senders...). On SQLite
each check is a read transaction of its own: ~25 us under load (the WAL index and the file locks), 7 % of
the API process's event-loop time under wrk (py-spy, `serve --workers 2`). Inside `request_scope()` the
first check's answer serves the rest of the request, until the request writes (`forget()`, called by
Database.write and by the group writer), so a request still sees its own changes and the next request
sees everyone's. Outside a scope (the scheduler, the control API) every check reads, as before.

Scopes are meant for short requests (the provider routes): a long-lived one (a stream) would keep what it
saw first."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any, Callable, Hashable, Iterator

_seen: ContextVar[dict | None] = ContextVar("mockserver_versions_seen", default=None)
#: Versions read by this request before its scope opened (prime()), for the scope to start from.
_primed: ContextVar[dict | None] = ContextVar("mockserver_versions_primed", default=None)


@contextlib.contextmanager
def request_scope() -> Iterator[None]:
    """One request's memo (the worker threads it hands work to share it: contextvars copy the reference)."""
    primed = _primed.get()
    if primed:
        _primed.set(None)  # taken once: a later scope reads afresh
    token = _seen.set(dict(primed) if primed else {})
    try:
        yield
    finally:
        _seen.reset(token)


@contextlib.contextmanager
def priming() -> Iterator[None]:
    """Around what a request reads before its scope opens (app.ClockSync's clock check): versions read on the
    way (prime()) are kept for the scope. Outside a request (the scheduler's own clock checks) nothing is kept."""
    _primed.set({})
    yield


def prime(key: Hashable, value: Any) -> None:
    """A version this request read on the way (one statement for two versions: the shared clock's and the
    read cache's): its scope, open or about to open, starts from it instead of reading it again."""
    seen = _seen.get()
    if seen is not None:
        seen[key] = value
        return
    primed = _primed.get()
    if primed is not None:
        primed[key] = value


def remembered(key: Hashable, read: Callable[[], Any]) -> Any:
    """`read()` once per scope and key (every time outside a scope)."""
    seen = _seen.get()
    if seen is None:
        return read()
    try:
        return seen[key]
    except KeyError:
        value = seen[key] = read()
        return value


def forget() -> None:
    """This request wrote (or is about to): versions read before may be stale now."""
    seen = _seen.get()
    if seen:
        seen.clear()


@contextlib.contextmanager
def unversioned_write() -> Iterator[None]:
    """Around a write that touches no versioned table (a shared rate-limit bucket: one per request on
    PostgreSQL): what this request read stays valid, so its forget() is undone."""
    seen = _seen.get()
    kept = dict(seen) if seen else None
    try:
        yield
    finally:
        if kept:
            seen.update(kept)
