"""Signature configs (/v1/sign-configs, EngageLab's sender IDs) over core's Sender table: name rules,
review state and the wire object. public_id = sign_id, name = sign_name."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from mockserver.core.models import Sender
from mockserver.core.store import catalog
from mockserver.providers.engagelab import NAME, statuses
from mockserver.providers.engagelab.errors import ConfigError, config_not_exist

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

FORBIDDEN = ("【", "】", "[", "]")
ID_RE = re.compile(r"[A-Za-z0-9_\-]{1,64}")


def _check_name(conn, account_id: str, name: str, own_id: int | None = None) -> str:
    name = name.strip()
    if not 2 <= len(name) <= 60:
        raise ConfigError("sign_name length must be between 2 and 60 characters")
    for bad in FORBIDDEN:
        if bad in name:
            raise ConfigError(f"sign_name can not contain {bad}")
    existing = catalog.sender_by_name(conn, account_id, name)
    if existing is not None and existing.id != own_id:
        raise ConfigError("sign_name already exist")
    return name


def get(conn, account_id: str, sign_id: str) -> Sender:
    if not ID_RE.fullmatch(sign_id):
        raise ConfigError("invalid signId")
    sender = catalog.sender_by_public_id(conn, account_id, sign_id)
    if sender is None:
        raise config_not_exist("sign")
    return sender


def create(runtime: Runtime, account_id: str, sign_name: str) -> Sender:
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        name = _check_name(conn, account_id, sign_name)
        sender = Sender(public_id=str(runtime.ids.snowflake()), provider=NAME, account_id=account_id, name=name,
                        status="pending", review_at=runtime.review_due_at(now), created_at=now, updated_at=now)
        catalog.add_sender(conn, sender)
    runtime.wake()
    return sender


def update(runtime: Runtime, account_id: str, sign_id: str, sign_name: str) -> None:
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        sender = get(conn, account_id, sign_id)
        if sender.status == "pending":
            raise ConfigError("can not update pending status sign")
        name = _check_name(conn, account_id, sign_name, own_id=sender.id)
        catalog.update_sender(conn, sender.id, name=name, status="pending", review_at=runtime.review_due_at(now),
                              updated_at=now)
    runtime.wake()


def _related(conn, account_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for tpl in catalog.templates_of(conn, account_id):
        extra = json.loads(tpl.extra or "{}")
        if extra.get("add_signature") and extra.get("sign_id") is not None:
            counts[str(extra["sign_id"])] = counts.get(str(extra["sign_id"]), 0) + 1
    return counts


def delete(runtime: Runtime, account_id: str, sign_id: str) -> None:
    """Designed: a signature still attached to templates is refused, since their sends would break."""
    with runtime.db.write() as conn:
        sender = get(conn, account_id, sign_id)
        if _related(conn, account_id).get(sender.public_id):
            raise ConfigError("there are templates using current sign, can not delete")
        catalog.delete_sender(conn, sender.id)


def to_wire(runtime: Runtime, sender: Sender, related: dict[str, int]) -> dict[str, Any]:
    # The core review stores no remark for senders; it is the same verdict recomputed from the name.
    remark = runtime.review_verdict(sender.name)[1] if sender.status == "rejected" else ""
    remark = remark or json.loads(sender.extra or "{}").get("audit_remark", "")
    return {"sign_id": sender.public_id, "sign_name": sender.name, "status": statuses.review_code(sender.status),
            "related_template_count": related.get(sender.public_id, 0), "audit_remark": remark,
            "created_time": int(sender.created_at), "updated_time": int(sender.updated_at)}


def list_all(runtime: Runtime, conn, account_id: str) -> list[dict[str, Any]]:
    related = _related(conn, account_id)
    return [to_wire(runtime, s, related) for s in catalog.senders_of(conn, account_id)]


def one(runtime: Runtime, conn, account_id: str, sign_id: str) -> dict[str, Any]:
    return to_wire(runtime, get(conn, account_id, sign_id), _related(conn, account_id))
