"""Authentication every provider shares: the key lookup with its state checks (revoked, expired, inactive),
CIDR IP allow-lists, the one `Caller`, and the route class that authenticates before the body is read.

Each provider words the failures itself: these functions return a `KeyState`, they never raise a vendor error.
"""

from __future__ import annotations

import hmac
import inspect
import ipaddress
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Callable

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from mockserver.core import journal
from mockserver.core.models import Account, ApiKey
from mockserver.core.store import cache
from mockserver.providers import fast_path

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime


class KeyState(StrEnum):
    """Why a presented credential is refused, in the order every vendor checks it (or OK)."""

    OK = "ok"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    INACTIVE = "inactive"  # the account is disabled or gone
    IP_DENIED = "ip_denied"


@dataclass
class Caller:
    """The authenticated key and its account, as every provider's routes receive them."""

    key: ApiKey
    account: Account
    sandbox: bool = False

    @property
    def scopes(self) -> list[str]:
        return list(json.loads(self.key.scopes or "[]"))

    @property
    def channels(self) -> list[str]:
        return list(json.loads(self.account.allowed_channels or "[]"))

    @property
    def auto_provisioned(self) -> bool:
        return bool(json.loads(self.account.extra or "{}").get("auto_provisioned"))


@dataclass
class Lookup:
    """The outcome of `check_key`: a state, and the key and account when they were found."""

    state: KeyState
    key: ApiKey | None = None
    account: Account | None = None

    def caller(self, sandbox: bool = False) -> Caller:
        assert self.key is not None and self.account is not None
        return Caller(self.key, self.account, sandbox)


def same_secret(stored: str | None, given: str | None) -> bool:
    """Constant-time comparison, so response timing does not tell how much of a secret was right."""
    return hmac.compare_digest((stored or "").encode(), (given or "").encode())


def ip_allowed(ip: str, allowlist: Any) -> bool:
    """True when `ip` falls in one of the entries (single addresses or CIDR networks); a bad entry matches nothing."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowlist:
        try:
            if addr in ipaddress.ip_network(str(entry).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def allowlist_of(key: ApiKey) -> list[str]:
    """The key's stored IP allow-list (a JSON list); anything unreadable counts as no list."""
    try:
        value = json.loads(key.ip_allowlist or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def find_or_provision(runtime: Runtime, provider: str, raw: str,
                      provision: Callable[[], ApiKey] | None = None) -> ApiKey | None:
    """The stored key whose value equals `raw` (compared in constant time after the lookup), else the
    key `provision()` makes when auto-provisioning is on, else None."""
    found = cache.find_key(runtime.db, provider, raw)
    if found is not None and not same_secret(found.key, raw):
        found = None
    if found is None and provision is not None and runtime.settings.auto_provision:
        found = provision()
    return found


async def find_or_provision_async(runtime: Runtime, provider: str, raw: str,
                                  provision: Callable[[], ApiKey] | None = None) -> ApiKey | None:
    """`find_or_provision` for an async gate: the lookup (one indexed read) runs on the event loop, cheaper
    than a thread hop; only an auto-provision (a write, which may wait for the write lock) goes to a thread."""
    found = find_or_provision(runtime, provider, raw)
    if found is None and provision is not None and runtime.settings.auto_provision:
        found = await run_in_threadpool(find_or_provision, runtime, provider, raw, provision)
    return found


def check_key(runtime: Runtime, key: ApiKey | None, ip: str | None = None) -> Lookup:
    """The key's state in the vendors' shared order: unknown -> revoked -> expired -> inactive -> IP."""
    if key is None:
        return Lookup(KeyState.UNKNOWN)
    journal.note_account(key.account_id)
    account = cache.account(runtime.db, key.account_id)
    if account is None:
        return Lookup(KeyState.UNKNOWN, key)
    if key.status != "active":
        return Lookup(KeyState.REVOKED, key, account)
    if key.expires_at is not None and key.expires_at <= runtime.clock.now():
        return Lookup(KeyState.EXPIRED, key, account)
    if not account.is_active:
        return Lookup(KeyState.INACTIVE, key, account)
    allow = allowlist_of(key)
    if ip is not None and allow and not ip_allowed(ip, allow):
        return Lookup(KeyState.IP_DENIED, key, account)
    return Lookup(KeyState.OK, key, account)


def caller_of(request: Request) -> Caller:
    """The caller a provider's gate stored on the request (the plain read behind every `CallerDep`)."""
    return request.state.caller


def auth_first_route(gate: Callable[[Request], Any]) -> type[APIRoute]:
    """An APIRoute class whose handler runs `gate(request)` before FastAPI reads or parses the body, so a
    request without credentials is refused as such even when its body is malformed. The gate raises the
    vendor's error, or stores the caller on `request.state`; a plain function runs in a thread (it reads
    the database), a coroutine function on the loop (it may read the body itself, or do its reads there)."""
    is_async = inspect.iscoroutinefunction(gate)

    class AuthFirstRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Any]:
            original = super().get_route_handler()
            fast = fast_path.fast_call(self)  # a send's happy path without FastAPI's solver (fast_path.py)

            async def handler(request: Request) -> Any:
                await (gate(request) if is_async else run_in_threadpool(gate, request))
                if fast is not None and (response := await fast(request)) is not None:
                    return response
                return await original(request)

            return handler

    return AuthFirstRoute
