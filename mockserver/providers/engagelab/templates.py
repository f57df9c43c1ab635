"""Template configs (/v1/template-configs) over core's Template table: validation, review state, the
"pending or used by a running plan" rule, and the wire object. public_id = template_id, kind =
template_type; country_codes, add_signature, sign_id and sign_position live in `extra`."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from mockserver.core.models import Template
from mockserver.core.store import catalog
from mockserver.core.store.message_lists import MessageFilter, list_newest
from mockserver.providers.engagelab import NAME, statuses
from mockserver.providers.engagelab.errors import ConfigError, config_not_exist
from mockserver.providers.engagelab.schemas import TemplateConfigIn
from mockserver.providers.engagelab.settings import EngageLabSettings
from mockserver.providers.engagelab.webhooks import plan_meta

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

TYPES = {"authentication": "authentication", "otp": "authentication", "utility": "utility", "marketing": "marketing"}
# Designed: the vendor answers "invalid templateId" for malformed ids without saying what is malformed.
ID_RE = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_COUNTRY_RE = re.compile(r"[A-Za-z]{2}")
RUNNING = ("scheduled", "queued")


def check_id(template_id: str) -> str:
    if not ID_RE.fullmatch(template_id):
        raise ConfigError("invalid templateId")
    return template_id


def _validated(conn, settings: EngageLabSettings, account_id: str, body: TemplateConfigIn) -> dict[str, Any]:
    """The stored fields of a create/update body, or ConfigError with the first broken rule."""
    name = body.template_name.strip()
    if not name:
        raise ConfigError("template_name is required")
    if len(name) > 255:
        raise ConfigError("template_name can not exceed 255 characters")
    kind = TYPES.get(body.template_type.strip().lower())
    if kind is None:
        raise ConfigError("invalid template_type, expected authentication, utility or marketing")
    if not body.template_content.strip():
        raise ConfigError("template_content is required")
    for bad in settings.forbidden_content:
        if bad in body.template_content:
            raise ConfigError(f"template_content can not contain {bad}")
    codes = [c.strip().upper() for c in body.country_codes.split(",") if c.strip()]
    if not codes or not all(_COUNTRY_RE.fullmatch(c) for c in codes):
        raise ConfigError("invalid country_codes, expected comma-separated ISO country codes such as CN,US")
    extra: dict[str, Any] = {"country_codes": ",".join(codes), "add_signature": body.add_signature}
    if body.add_signature:
        if body.sign_id is None or str(body.sign_id) == "":
            raise ConfigError("sign_id is required when add_signature is true")
        if body.sign_position not in (1, 2):
            raise ConfigError("sign_position is required when add_signature is true: 1 prefix, 2 suffix")
        if catalog.sender_by_public_id(conn, account_id, str(body.sign_id)) is None:
            raise config_not_exist("sign")
        extra.update(sign_id=str(body.sign_id), sign_position=body.sign_position)
    return {"name": name, "kind": kind, "content": body.template_content, "extra": json.dumps(extra)}


def get(conn, account_id: str, template_id: str) -> Template:
    tpl = catalog.template(conn, account_id, check_id(template_id))
    if tpl is None:
        raise config_not_exist("template")
    return tpl


def create(runtime: Runtime, settings: EngageLabSettings, account_id: str, body: TemplateConfigIn) -> Template:
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        fields = _validated(conn, settings, account_id, body)
        tpl = Template(public_id=str(runtime.ids.snowflake()), provider=NAME, account_id=account_id,
                       status="pending", review_at=runtime.review_due_at(now), created_at=now, updated_at=now,
                       **fields)
        catalog.add_template(conn, tpl)
    runtime.wake()
    return tpl


def in_running_plan(conn, account_id: str, template_id: str) -> bool:
    """True if a scheduled or still-sending plan uses the template (keyset pages over open plans)."""
    before: int | None = None
    while True:
        flt = MessageFilter(provider=NAME, account_id=account_id, message_statuses=RUNNING, before_id=before)
        rows = list_newest(conn, flt, limit=500)
        if any(plan_meta(r["meta"]).get("template_id") == template_id for r in rows):
            return True
        if len(rows) < 500:
            return False
        before = rows[-1]["id"]


def _editable(conn, tpl: Template, action: str) -> None:
    if tpl.status == "pending" and action == "update":
        raise ConfigError("can not update pending status template")
    if in_running_plan(conn, tpl.account_id, tpl.public_id):
        raise ConfigError(f"there are pending or running plans using current template, can not {action}")


def update(runtime: Runtime, settings: EngageLabSettings, account_id: str, template_id: str, body: TemplateConfigIn) -> None:
    now = runtime.clock.now()
    with runtime.db.write() as conn:
        tpl = get(conn, account_id, template_id)
        _editable(conn, tpl, "update")
        fields = _validated(conn, settings, account_id, body)
        catalog.update_template(conn, tpl.id, status="pending", audit_remark="", review_at=runtime.review_due_at(now),
                                updated_at=now, **fields)
    runtime.wake()


def delete(runtime: Runtime, account_id: str, template_id: str) -> None:
    with runtime.db.write() as conn:
        tpl = get(conn, account_id, template_id)
        _editable(conn, tpl, "delete")
        catalog.delete_template(conn, tpl.id)


def to_wire(conn, tpl: Template) -> dict[str, Any]:
    extra = json.loads(tpl.extra or "{}")
    out: dict[str, Any] = {
        "template_id": tpl.public_id, "template_name": tpl.name, "template_type": tpl.kind,
        "template_content": tpl.content, "country_codes": extra.get("country_codes", ""),
        "status": statuses.review_code(tpl.status),
    }
    position = int(extra.get("sign_position") or 0) if extra.get("add_signature") else 0
    if position:
        sender = catalog.sender_by_public_id(conn, tpl.account_id, str(extra.get("sign_id", "")))
        out.update(sign_id=str(extra.get("sign_id", "")), sign_name=sender.name if sender else "",
                   sign_status=statuses.review_code(sender.status) if sender else None)
    out.update(sign_position=position, audit_remark=tpl.audit_remark or extra.get("audit_remark", ""),
               created_time=int(tpl.created_at), updated_time=int(tpl.updated_at))
    return out


def list_all(conn, account_id: str) -> list[dict[str, Any]]:
    return [to_wire(conn, t) for t in catalog.templates_of(conn, account_id)]
