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
from mockserver.core.sending import (
    TRACK_EVENTS_LIMIT,
    Inserted,
    Submission,
    submit,
    submit_grouped,
)
from mockserver.core.store import catalog, messages, recipients, tx
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

#: A plan to at most this many targets is stored on the event loop in the group writer's next transaction
#: (core's submit_grouped); a bigger one in a worker thread, so it never holds a batch of other sends.
GROUPED_TARGETS = 100


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


@dataclass
class _Pending:
    """A plan checked and ready to store: its Submission (the resend check and the accept-time callbacks run
    inside its transaction, as hooks) and what the answer needs once it is stored."""

    plan_id: str
    total: int
    task_id: int | None
    fail: Fail
    sub: Submission | None = None
    targets: list[webhooks.Target] | None = None

    def result(self, runtime: Runtime, inserted: Inserted) -> PlanResult:
        runtime.wake()  # the accept-time callbacks are due now
        single = self.targets[0].message_id if self.total == 1 and self.targets else None
        return PlanResult(self.plan_id, self.total, inserted.accepted, single, self.task_id)


def _pending(runtime: Runtime, settings: EngageLabSettings, account: Account, req: SendRequest) -> _Pending:
    """Validate one plan (raising SendError with the vendor code) and build its Submission."""
    total = len(req.targets())
    plan_id = str(runtime.ids.snowflake())

    def fail(code: int, message: str | None = None) -> SendError:
        return SendError(code, message, plan_id=plan_id, total_count=total)

    now = runtime.clock.now()
    draft = _draft(runtime, settings, account, req, now, fail)
    tpl = draft.template
    task_id = runtime.ids.snowflake() if draft.scheduled_at is not None else None
    pending = _Pending(plan_id, total, task_id, fail)
    meta = {"plan_id": plan_id, "plan_name": req.plan_name, "template_id": tpl.public_id,
            "template_type": tpl.kind, "custom_args": req.custom_args, "task_id": task_id}

    def check(conn) -> None:
        if tpl.kind == AUTHENTICATION and settings.otp_validity > 0:
            # Concurrent codes to the same target must not both pass the check (PostgreSQL runs sends in
            # parallel transactions): the account's verification sends take turns until each commits.
            tx.hold_key(conn, f"engagelab otp {account.id}")
            _check_resend(conn, settings, account.id, tpl.public_id, draft.valid, now, fail)

    def accepted(conn, inserted: Inserted) -> None:
        pending.targets = _targets(runtime, conn, inserted, draft.valid, draft.invalid)
        hooks = webhooks.accept_webhooks(runtime, settings, account, inserted.message, pending.targets)
        runtime.enqueue_webhooks(conn, NAME, account.id, inserted.message.id, hooks, now)

    # One transaction: the resend check, the plan and its first callbacks.
    pending.sub = Submission(
        provider=NAME, account_id=account.id, public_id=plan_id, body=draft.body, numbers=draft.valid,
        invalid=[raw for raw, _ in draft.invalid], sender=draft.sign_name, scheduled_at=draft.scheduled_at,
        callback_url=account.dlr_url, notify=True, meta=meta, before_insert=check, after_insert=accepted)
    return pending


def send(runtime: Runtime, settings: EngageLabSettings, account: Account, req: SendRequest) -> PlanResult:
    """Validate and store one plan, in the caller's thread (a big plan: a worker thread); raises SendError with
    the vendor code, storing nothing, on refusal."""
    pending = _pending(runtime, settings, account, req)
    try:
        inserted = submit(runtime, pending.sub)
    except InsufficientCredits as exc:
        raise _no_credits(pending, exc) from None
    return pending.result(runtime, inserted)


async def send_grouped(runtime: Runtime, settings: EngageLabSettings, account: Account,
                       req: SendRequest) -> PlanResult:
    """send() on the event loop, its statements in the group writer's next transaction (core's submit_grouped),
    for a plan to at most GROUPED_TARGETS targets."""
    pending = _pending(runtime, settings, account, req)
    try:
        inserted = await submit_grouped(runtime, pending.sub)
    except InsufficientCredits as exc:
        raise _no_credits(pending, exc) from None
    return pending.result(runtime, inserted)


def _no_credits(pending: _Pending, exc: InsufficientCredits) -> SendError:
    return pending.fail(3003, f"insufficient balance: the plan needs {exc.need} parts, {exc.have} left")
