"""New EngageLab accounts (auto-provisioned or made by the control API) get the fixture catalog, so the
seed's examples (templates 1233, notification-template, marketing-template) work with any credentials."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mockserver.core.models import Sender, Template
from mockserver.core.store import catalog
from mockserver.providers.engagelab import NAME

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

def _primary_fixture_account(runtime: Runtime) -> dict[str, Any]:
    listed = runtime.fixture_files().get(NAME, {}).get("accounts", [])
    return listed[0] if listed else {}


def seed_catalog(runtime: Runtime, account_id: str) -> int:
    """Copy the primary fixture account's approved signatures and templates, once; returns templates added."""
    source = _primary_fixture_account(runtime)
    now = runtime.clock.now()
    added = 0
    with runtime.db.write() as conn:
        if catalog.templates_of(conn, account_id):
            return 0
        for s in source.get("senders", []):
            if s.get("status", "approved") == "approved" and catalog.sender_by_name(conn, account_id, s["name"]) is None:
                catalog.add_sender(conn, Sender(
                    public_id=str(s["id"]), provider=NAME, account_id=account_id, name=s["name"],
                    extra=json.dumps(s.get("extra", {})), created_at=now, updated_at=now))
        for t in source.get("templates", []):
            if t.get("status", "approved") != "approved":
                continue
            catalog.add_template(conn, Template(
                public_id=str(t["id"]), provider=NAME, account_id=account_id, name=t.get("name", str(t["id"])),
                content=t["content"], kind=t.get("kind", "utility"), extra=json.dumps(t.get("extra", {})),
                created_at=now, updated_at=now))
            added += 1
    return added
