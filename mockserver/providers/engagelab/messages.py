"""Sending a template plan (POST /v1/messages): template and signature checks, target validation, the
verification-code rules (3004 resend window, 5001 failed submission), storing through core's submit, and
the accept-time callback rows (plan, target_valid / target_invalid) in the same transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from mockserver.core import phone
from mockserver.core.errors import InsufficientCredits
from mockserver.core.lifecycle import Outcome
from mockserver.core.models import Account, Template
from mockserver.core.sending import TRACK_EVENTS_LIMIT, Inserted, Submission, submit
from mockserver.core.store import catalog, messages, recipients
from mockserver.providers.engagelab import NAME, content, statuses, webhooks
from mockserver.providers.engagelab.errors import SendError
from mockserver.providers.engagelab.schemas import SendRequest
from mockserver.providers.engagelab.settings import EngageLabSettings
from mockserver.providers.engagelab.statuses import Word

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

AUTHENTICATION = "authentication"
# Recipients that never reached the carrier do not hold a verification code, so they do not block a resend.
_NOT_SENT = frozenset({"invalid", "failed", "rejected", "cancelled"})

Fail = Callable[..., SendError]


@dataclass
class PlanResult:
    plan_id: str
    total_count: int
    accepted_count: int
    message_id: str | None
    task_id: int | None


def _usable_template(conn, account_id: str, template_id: str, fail: Fail) -> Template:
    tpl = catalog.template(conn, account_id, template_id)
    if tpl is None:
        raise fail(4001, f"template {template_id} not found")
    if tpl.status == "pending":
        raise fail(3003, f"template {template_id} is pending review and cannot be used yet")
    if tpl.status != "approved":
        remark = tpl.audit_remark or json.loads(tpl.extra or "{}").get("audit_remark", "")
        raise fail(3003, f"template {template_id} was rejected" + (f": {remark}" if remark else ""))
    return tpl


def _signature(conn, account_id: str, tpl: Template, extra: dict, fail: Fail) -> str | None:
    if not extra.get("add_signature"):
        return None
    sign_id = str(extra.get("sign_id", ""))
    sender = catalog.sender_by_public_id(conn, account_id, sign_id)
    if sender is None:
        raise fail(3003, f"signature {sign_id} of template {tpl.public_id} does not exist")
    if sender.status != "approved":
        raise fail(3003, f"signature {sign_id} of template {tpl.public_id} is {sender.status}, not approved")
    return sender.name


def _scheduled_at(schedule_time: int | None, now: float, fail: Fail) -> float | None:
    if schedule_time is None:
        return None
    if schedule_time > 10**11:  # a millisecond timestamp: the field is unix seconds
        raise fail(3002, "schedule_time must be a unix timestamp in seconds")
    if schedule_time <= now:
        raise fail(3003, "schedule_time must be later than the current time")
    return float(schedule_time)


def classify(targets: list[str], country_codes: str) -> tuple[list[str], list[tuple[str, Word]]]:
    """(valid E.164 numbers, [(raw target, target_invalid word)]), keeping request order in each."""
    allowed = {c.strip().upper() for c in country_codes.split(",") if c.strip()}
    valid, invalid = [], []
    for raw in targets:
        parsed = phone.parse(raw.strip())
        if parsed is None or not parsed.is_valid:
            invalid.append((raw, statuses.TARGET_INVALID))
        elif allowed and (parsed.region or "") not in allowed:
            invalid.append((raw, statuses.COUNTRY_NOT_ALLOWED))
        else:
            valid.append(parsed.e164)
    return valid, invalid


def _check_submission(runtime: Runtime, numbers: list[str], fail: Fail) -> None:
    """5001: a verification code to a magic 'failed' number is refused synchronously (designed)."""
    magic = runtime.rules_for(NAME).magic
    for number in numbers:
        digits = phone.digits_only(number)
        if any(digits.endswith(rule.suffix) and rule.outcome == Outcome.FAILED for rule in magic):
            raise fail(5001, f"Verification code message sending failed: the carrier refused {number}")


def _check_resend(conn, settings: EngageLabSettings, account_id: str, template_id: str, numbers: list[str],
                  now: float, fail: Fail) -> None:
    """3004: the same authentication template to the same target inside the code's validity window."""
    if settings.otp_validity <= 0 or not numbers:
        return
    for row in messages.recent_recipients(conn, account_id, now - settings.otp_validity, numbers):
        if row["status"] not in _NOT_SENT and webhooks.plan_meta(row["meta"]).get("template_id") == template_id:
            raise fail(3004, f"template {template_id} was already sent to {row['msisdn']} within the "
                             f"verification code validity period ({int(settings.otp_validity)} s)")


def _targets(runtime: Runtime, conn, inserted: Inserted, valid: list[str],
             invalid: list[tuple[str, Word]]) -> list[webhooks.Target]:
    """Give every recipient its message_id (small plans only: large ones get no per-target callbacks)."""
    msg = inserted.message
    if msg.first_recipient_id is None or msg.recipient_count > TRACK_EVENTS_LIMIT:
        return []
    rows = [(n, statuses.TARGET_VALID) for n in valid] + invalid
    targets = [webhooks.Target(str(runtime.ids.snowflake()), to, word) for to, word in rows]
    recipients.set_public_ids(conn, ((t.message_id, msg.first_recipient_id + i) for i, t in enumerate(targets)))
    return targets


@dataclass
class Draft:
    """A checked plan, ready to store: rendered text, signature, targets split into valid and invalid."""

    template: Template
    body: str
    sign_name: str | None
    valid: list[str]
    invalid: list[tuple[str, Word]]
    scheduled_at: float | None


def _draft(runtime: Runtime, settings: EngageLabSettings, account: Account, req: SendRequest, now: float, fail: Fail) -> Draft:
    scheduled_at = _scheduled_at(req.schedule_time, now, fail)
    conn = runtime.db.conn()
    tpl = _usable_template(conn, account.id, str(req.template.id), fail)
    extra = json.loads(tpl.extra or "{}")
    sign_name = _signature(conn, account.id, tpl, extra, fail)
    params = req.template.params
    if params is None:
        missing = content.placeholders(tpl.content)
        if missing:
            raise fail(3002, f"Invalid request parameters: template.params: missing value for {missing[0]}")
    text = content.fill(tpl.content, params or {})
    body = content.with_signature(text, sign_name, int(extra.get("sign_position") or 0), settings.sign_format)
    valid, invalid = classify(req.targets(), str(extra.get("country_codes") or ""))
    if tpl.kind == AUTHENTICATION and settings.otp_failure_as_5001:
        _check_submission(runtime, valid, fail)
    return Draft(tpl, body, sign_name, valid, invalid, scheduled_at)


def send(runtime: Runtime, settings: EngageLabSettings, account: Account, req: SendRequest) -> PlanResult:
    """Validate and store one plan; raises SendError with the vendor code, storing nothing, on refusal."""
    total = len(req.targets())
    plan_id = str(runtime.ids.snowflake())

    def fail(code: int, message: str | None = None) -> SendError:
        return SendError(code, message, plan_id=plan_id, total_count=total)

    now = runtime.clock.now()
    draft = _draft(runtime, settings, account, req, now, fail)
    tpl = draft.template
    task_id = runtime.ids.snowflake() if draft.scheduled_at is not None else None
    meta = {"plan_id": plan_id, "plan_name": req.plan_name, "template_id": tpl.public_id,
            "template_type": tpl.kind, "custom_args": req.custom_args, "task_id": task_id}
    with runtime.db.write() as conn:  # one transaction: the resend check, the plan and its first callbacks
        if tpl.kind == AUTHENTICATION:
            _check_resend(conn, settings, account.id, tpl.public_id, draft.valid, now, fail)
        try:
            inserted = submit(runtime, Submission(
                provider=NAME, account_id=account.id, public_id=plan_id, body=draft.body, numbers=draft.valid,
                invalid=[raw for raw, _ in draft.invalid], sender=draft.sign_name, scheduled_at=draft.scheduled_at,
                callback_url=account.dlr_url, notify=True, meta=meta))
        except InsufficientCredits as exc:
            raise fail(3003, f"insufficient balance: the plan needs {exc.need} parts, {exc.have} left") from None
        targets = _targets(runtime, conn, inserted, draft.valid, draft.invalid)
        hooks = webhooks.accept_webhooks(runtime, settings, account, inserted.message, targets)
        runtime.enqueue_webhooks(conn, NAME, account.id, inserted.message.id, hooks, now)
    runtime.wake()
    single = targets[0].message_id if total == 1 and targets else None
    return PlanResult(plan_id, total, inserted.accepted, single, task_id)
