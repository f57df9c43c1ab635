"""x-api-key authentication, scopes (send needs `sms:send` or `*`), rate limiting and auto-provision.

Wrong or missing key -> 401; a key without the send scope -> 403; too many requests -> 429.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from mockserver.core.models import Account, ApiKey, Sender
from mockserver.core.store import accounts, catalog
from mockserver.providers.mesms.errors import MesmsError

NAME = "mesms"
SEND_SCOPES = frozenset({"sms:send", "*"})
DEFAULT_SENDER = "MeSMS"

api_key_header = APIKeyHeader(name="x-api-key", auto_error=False,
                              description="API key from Settings → API Keys (fixture: see the docs page).")


@dataclass
class Caller:
    key: ApiKey
    account: Account

    @property
    def scopes(self) -> list[str]:
        return json.loads(self.key.scopes or "[]")

    @property
    def auto(self) -> bool:
        return bool(json.loads(self.account.extra or "{}").get("auto_provisioned"))


def unauthorized(message: str) -> MesmsError:
    return MesmsError(message, http_status=401, error_code="UNAUTHORIZED")


def provision(runtime, key: str) -> ApiKey:
    """Auto-provision: a funded account for an unknown well-formed key, with the default sender approved."""
    made = runtime.provision(NAME, key, extra={"auto_provisioned": True})
    with runtime.db.write() as conn:
        ensure_sender(conn, made.account_id, DEFAULT_SENDER, runtime.clock.now())
    return made


def ensure_sender(conn, account_id: str, name: str, now: float) -> Sender:
    found = catalog.sender_by_name(conn, account_id, name)
    if found is not None:
        return found
    count = len(catalog.senders_of(conn, account_id))
    return catalog.add_sender(conn, Sender(public_id=str(count + 1), provider=NAME, account_id=account_id, name=name,
                                           status="approved", extra='{"type": "own"}', created_at=now, updated_at=now))


def _lookup(request: Request, raw: str | None) -> Caller:
    runtime = request.app.state.runtime
    cfg = request.app.state.mesms_settings
    if not raw:
        raise unauthorized("Missing API key: send it in the x-api-key header")
    conn = runtime.db.conn()
    key = accounts.find_key(conn, NAME, raw)
    if key is None and runtime.settings.auto_provision and re.fullmatch(cfg.key_pattern, raw):
        key = provision(runtime, raw)
    if key is None:
        raise unauthorized("Invalid API key")
    if key.status != "active":
        raise unauthorized(f"API key is {key.status}")
    if key.expires_at is not None and key.expires_at <= runtime.clock.now():
        raise unauthorized("API key has expired")
    account = accounts.get(conn, key.account_id)
    if account is None or not account.is_active:
        raise unauthorized("Account is disabled")
    if not request.app.state.mesms_limiter.allow(raw):
        raise MesmsError("Rate limit exceeded", http_status=429, error_code="RATE_LIMITED",
                         headers={"Retry-After": "1"})
    return Caller(key, account)


def authenticate(request: Request, raw: Annotated[str | None, Security(api_key_header)] = None) -> Caller:
    return _lookup(request, raw)


def require_send(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
    check_send_scope(caller)
    return caller


def check_send_scope(caller: Caller) -> None:
    if not SEND_SCOPES.intersection(caller.scopes):
        raise MesmsError("API key scope insufficient: sms:send or * is required", http_status=403,
                         error_code="FORBIDDEN")


CallerDep = Annotated[Caller, Depends(authenticate)]
SenderCallerDep = Annotated[Caller, Depends(require_send)]
