"""From a send/preview body to what core needs: the body text (content or template), the numbers
(msisdns and/or a contact group), the sender check, parts and the schedule. Raises MesmsError."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from mockserver.core import segments
from mockserver.core.store import catalog
from mockserver.providers.mesms import numbers as nums
from mockserver.providers.mesms import slices
from mockserver.providers.mesms.auth import Caller, ensure_sender
from mockserver.providers.mesms.errors import bad_request
from mockserver.providers.mesms.settings import MesmsSettings

BANGKOK = timezone(timedelta(hours=7))
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")


def iso(epoch: float | None) -> str | None:
    """Times go out in ISO 8601 with the Bangkok offset, like the vendor's scheduledTime example (DESIGNED)."""
    return None if epoch is None else datetime.fromtimestamp(epoch, BANGKOK).isoformat(timespec="seconds")


def parse_body(raw: bytes, model: type[BaseModel]) -> tuple[BaseModel, list | None]:
    """Parse JSON and validate every field but `msisdns` (kept raw: 2M items are checked set-wise later)."""
    try:
        data = slices.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        raise bad_request("Malformed JSON body", "INVALID_JSON") from None
    if not isinstance(data, dict):
        raise bad_request("Request body must be a JSON object")
    msisdns = data.pop("msisdns", None)
    if msisdns is not None and not isinstance(msisdns, list):
        raise bad_request("msisdns: must be an array of strings")
    try:
        req = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        raise bad_request(f"{field}: {first.get('msg', 'invalid')}" if field else str(first.get("msg"))) from None
    return req, msisdns


def content_of(conn, account_id: str, req: Any, cfg: MesmsSettings) -> str:
    if req.content is not None and req.templateId is not None:
        raise bad_request("Provide either content or templateId, not both")
    if req.templateId is not None:
        tpl = catalog.template(conn, account_id, str(req.templateId))
        if tpl is None:
            raise bad_request(f"Template {req.templateId} not found", "TEMPLATE_NOT_FOUND")
        if tpl.status != "approved":
            raise bad_request(f"Template {req.templateId} is {tpl.status}", "TEMPLATE_NOT_APPROVED")
        text = fill(tpl.content, req.variables or {})
    elif req.content is not None:
        text = req.content
    else:
        raise bad_request("content or templateId is required", "MISSING_CONTENT")
    if not text.strip():
        raise bad_request("content must not be empty", "MISSING_CONTENT")
    if len(text) > cfg.max_content:
        raise bad_request(f"content is longer than {cfg.max_content} characters", "CONTENT_TOO_LONG")
    return text


def fill(template: str, variables: dict[str, Any]) -> str:
    missing = [name for name in _PLACEHOLDER.findall(template) if name not in variables]
    if missing:
        raise bad_request(f"Missing template variable(s): {', '.join(sorted(set(missing)))}", "MISSING_VARIABLE")
    return _PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), template)


def numbers_of(conn, account_id: str, msisdns: list | None, group_id: int | None, cfg: MesmsSettings) -> nums.Numbers:
    """msisdns and the group's numbers together (DESIGNED: both may be given), de-duplicated."""
    if msisdns is None and group_id is None:
        raise bad_request("msisdns or contactGroupId is required", "MISSING_RECIPIENTS")
    if msisdns is not None and len(msisdns) > cfg.max_msisdns:
        raise bad_request(f"At most {cfg.max_msisdns:,} msisdns per request", "TOO_MANY_RECIPIENTS")
    try:
        found = nums.classify(msisdns or [], consume=True)  # the caller drops msisdns right after
    except TypeError:
        raise bad_request("msisdns: must be an array of strings") from None
    if group_id is not None:
        group = catalog.group(conn, account_id, str(group_id))
        if group is None:
            raise bad_request(f"Contact group {group_id} not found", "CONTACT_GROUP_NOT_FOUND")
        found = found.extend(nums.classify(json.loads(group.numbers)))
    if found.received == 0:
        raise bad_request("No recipients: msisdns is empty", "MISSING_RECIPIENTS")
    return found


def check_sender(conn, caller: Caller, name: str, cfg: MesmsSettings, now: float) -> None:
    if not name or len(name) > cfg.max_sender:
        raise bad_request(f"sender must be 1 to {cfg.max_sender} characters", "INVALID_SENDER")
    sender = catalog.sender_by_name(conn, caller.account.id, name)
    if sender is None and caller.auto_provisioned:  # auto-provisioned accounts get the sender they name
        sender = ensure_sender(conn, caller.account.id, name, now)
    if sender is None:
        raise bad_request(f"Sender '{name}' not found on this account", "SENDER_NOT_FOUND")
    if sender.status != "approved":
        raise bad_request(f"Sender '{name}' is {sender.status}; only approved senders can send",
                          "SENDER_NOT_APPROVED")


@dataclass
class Parts:
    encoding: str
    parts: int


def parts_of(text: str, cfg: MesmsSettings) -> Parts:
    seg = segments.segment(text, ucs2_multi=70 if cfg.ucs2_flat else 67)
    return Parts(str(seg.encoding), seg.parts)


def schedule_of(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise bad_request("scheduledTime must be ISO 8601, e.g. 2026-06-01T10:00:00+07:00",
                          "INVALID_SCHEDULED_TIME") from None
    if dt.tzinfo is None:
        raise bad_request("scheduledTime needs a UTC offset, e.g. +07:00", "INVALID_SCHEDULED_TIME")
    return dt.timestamp()
