"""Sender ID resolution: one approved sender is the default, several make sender_id required,
unknown ones are refused. Auto-provisioned accounts get the senders they name, approved."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mockserver.core.models import Sender
from mockserver.core.store import cache, catalog
from mockserver.providers.cast import errors
from mockserver.providers.cast.auth import Caller
from mockserver.providers.cast import NAME

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

DEFAULT_AUTO_SENDER = "CAST"
SENDER_CODE = "SENDER_ID_NOT_ALLOWED"  # designed: Cast lists no code for its sender 403s


def sender_kind(channel: str) -> str:
    """SIM sends draw on the account's `sim` senders; sms, otp and bulk on its `sms` senders."""
    return "sim" if channel == "sim" else "sms"


def _provision(runtime: Runtime, caller: Caller, name: str, kind: str) -> None:
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        if catalog.sender_by_name(conn, caller.account.id, name) is None:
            catalog.add_sender(conn, Sender(
                public_id=runtime.ids.hex(8), provider=NAME, account_id=caller.account.id, name=name,
                status="approved", channel=kind, label="auto-provisioned", created_at=now, updated_at=now,
                extra=json.dumps({"auto_provisioned": True}),
            ))


def approved(runtime: Runtime, account_id: str, kind: str | None = None) -> list[Sender]:
    found = cache.senders(runtime.db, account_id, "approved")
    return [s for s in found if kind is None or s.channel == kind]


def _sms_names(runtime: Runtime, caller: Caller) -> set[str]:
    return {s.name for s in approved(runtime, caller.account.id, "sms")}


def resolve(runtime: Runtime, caller: Caller, requested: str | None, channel: str) -> str:
    """The sender name to send from; raises 400/403 as Cast does. The SIM pool also takes the account's
    approved SMS sender IDs: the seed's SIM body is the Send SMS body as written (sender_id "CAST")."""
    kind = sender_kind(channel)
    if caller.auto_provisioned and runtime.settings.auto_provision:
        names = {s.name for s in approved(runtime, caller.account.id, kind)}
        wanted = requested or (None if names else DEFAULT_AUTO_SENDER)
        if wanted and wanted not in names:
            _provision(runtime, caller, wanted, kind)
    names = [s.name for s in approved(runtime, caller.account.id, kind)]
    if not names:
        raise errors.forbidden("no sender IDs assigned to this user", SENDER_CODE)
    if requested:
        if requested not in names and not (kind == "sim" and requested in _sms_names(runtime, caller)):
            raise errors.forbidden(f"sender_id '{requested}' is not allowed for this user", SENDER_CODE)
        return requested
    if len(names) > 1:
        raise errors.bad_request("sender_id is required when more than one sender ID is assigned")
    return names[0]
