"""Fault rules as data: what they match (provider, account, method + path glob, destination glob), how
often they fire (`after`, `times`, seeded `probability`), their hit counters, and the delivery-side
effects applied at submission. Provider-neutral: the provider is a name in the rule, errors are names
the provider layer renders. Rules live in memory (cleared on reset; fixtures/faults.toml reloaded)."""

from __future__ import annotations

import contextvars
import fnmatch
import json
import random
import threading
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Iterable

from mockserver.core.lifecycle import FINAL, Outcome
from mockserver.core.notify import OutgoingWebhook, StatusChange, WebhookShaper
from mockserver.core.store import fault_targets

if TYPE_CHECKING:
    from mockserver.core.models import Account, Inbound
    from mockserver.core.notify import Review
    from mockserver.core.store.messages import Inserted

#: Effects decided on the request itself (answered before or instead of the vendor's route).
REQUEST_EFFECTS = ("error", "status", "hang", "drop_connection", "malformed")
#: Effects decided per recipient at submission, or on the status webhooks of those recipients.
DELIVERY_EFFECTS = ("dlr_status", "dlr_delay_s", "dlr_drop", "dlr_duplicate", "webhook_latency_ms",
                    "webhook_reorder")
MALFORMED = ("invalid_json", "truncated")
DEFAULT_HANG_S = 60.0


@dataclass
class FaultRule:
    """One rule. Match fields narrow it (None: any); effect fields say what happens when it fires."""

    id: str = ""
    name: str = ""
    provider: str | None = None
    account_id: str | None = None
    method: str | None = None
    path: str | None = None  # glob on the vendor path below the mount, e.g. /api/*/sms/send
    to: str | None = None  # glob on the destination's digits, e.g. *7
    times: int | None = None  # fire this many times, then stop
    after: int = 0  # let this many matching occurrences through first
    probability: float | None = None  # fire with this chance, drawn from the sandbox seed
    on_demand: bool = False  # fires only for a request naming it in X-Mock-Fault
    error: str | None = None
    status: int | None = None
    retry_after: int | None = None
    latency_ms: int | list[int] | None = None  # fixed, or [low, high] drawn from the seed
    hang: bool = False
    hang_s: float = DEFAULT_HANG_S
    drop_connection: bool = False
    malformed: str | None = None  # invalid_json | truncated
    charge: bool = False  # an error the vendor would have charged for: the send is still stored
    dlr_status: str | None = None
    dlr_delay_s: float | None = None
    dlr_drop: bool = False
    dlr_duplicate: bool = False
    webhook_latency_ms: int | None = None
    webhook_reorder: bool = False
    hits: int = 0
    seen: int = 0  # occurrences that matched (including those let through by after/probability)

    def __post_init__(self) -> None:
        self.method = self.method.upper() if self.method else None
        if isinstance(self.malformed, bool):
            self.malformed = "invalid_json" if self.malformed else None
        if self.malformed is not None and self.malformed not in MALFORMED:
            raise ValueError(f"malformed must be one of {list(MALFORMED)}")
        if self.dlr_status is not None and self.dlr_status not in set(Outcome):
            raise ValueError(f"dlr_status must be one of {sorted(Outcome)}")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if isinstance(self.latency_ms, list) and (len(self.latency_ms) != 2 or self.latency_ms[0] > self.latency_ms[1]):
            raise ValueError("latency_ms must be a number or [low, high]")
        if self.is_delivery and any(getattr(self, e) for e in REQUEST_EFFECTS):
            raise ValueError("a rule either answers the request (error, status, hang, drop_connection, malformed) "
                             "or shapes its delivery (dlr_*, webhook_*), not both: the first stores nothing")
        if self.is_delivery and self.latency_ms:
            raise ValueError("latency_ms delays the request; on a delivery rule use webhook_latency_ms or dlr_delay_s")
        if not self.is_delivery and not self.is_request and not self.latency_ms:
            effects = ", ".join((*REQUEST_EFFECTS, "latency_ms", *DELIVERY_EFFECTS))
            raise ValueError(f"a rule needs an effect: {effects}")

    @property
    def is_delivery(self) -> bool:
        return any(getattr(self, e) not in (None, False) for e in DELIVERY_EFFECTS)

    @property
    def is_request(self) -> bool:
        return any(getattr(self, e) not in (None, False) for e in REQUEST_EFFECTS)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def view(self) -> dict[str, Any]:
        return {**asdict(self), "exhausted": self.exhausted}


@dataclass
class RequestInfo:
    """What the provider layer knows of a request; `touched` collects the rules that fired on it."""

    provider: str
    method: str
    path: str
    account_id: str | None = None
    destinations: list[str] | None = None
    forced: str | None = None  # the rule name from X-Mock-Fault
    touched: list[str] = field(default_factory=list)


#: The request being served (set by the provider layer's fault gate), read by submission.
CURRENT: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("mockserver_fault_request", default=None)


def digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


class Faults:
    """The rule set, its counters, and the per-message marks the webhook side reads."""

    def __init__(self, seed: int | None) -> None:
        self._seed = seed or 0
        self._lock = threading.Lock()
        self._rules: dict[str, FaultRule] = {}
        self._rngs: dict[str, random.Random] = {}
        self._next = 0
        self.marks: dict[int, list[tuple[FaultRule, set[int] | None]]] = {}  # message id -> (rule, recipient ids)
        self.touched: dict[int, list[str]] = {}  # message id -> names (or ids) of the rules that touched it

    # -- the rule set ----------------------------------------------------------------------------
    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._next += 1
            rule = replace(rule, id=rule.id or f"flt_{self._next}", hits=0, seen=0)
            self._rules[rule.id] = rule
            self._rngs[rule.id] = random.Random(f"{self._seed}:{rule.id}")
            return rule

    def get(self, rule_id: str) -> FaultRule | None:
        return self._rules.get(rule_id)

    def all(self) -> list[FaultRule]:
        return list(self._rules.values())

    def delete(self, rule_id: str) -> bool:
        with self._lock:
            return self._rules.pop(rule_id, None) is not None

    def clear(self, provider: str | None = None, account_id: str | None = None) -> None:
        """Drop rules (all, one provider's or one account's) and, on a full clear, every mark."""
        with self._lock:
            for rule in list(self._rules.values()):
                if provider in (None, rule.provider) and account_id in (None, rule.account_id):
                    del self._rules[rule.id]
            if provider is None and account_id is None:
                self._next = 0
                self.marks.clear()
                self.touched.clear()

    def any_for(self, provider: str) -> bool:
        return any(r.provider in (None, provider) for r in self._rules.values())

    def needs(self, provider: str, what: str) -> bool:
        """Whether some rule of this provider matches a request on `what` (account_id, to): worth resolving.
        A delivery rule's `to` is matched per recipient at submission, so it needs no body parse here."""
        return any(r.provider in (None, provider) and getattr(r, what) and not (what == "to" and r.is_delivery)
                   for r in self._rules.values())

    # -- matching and counting -------------------------------------------------------------------
    def _matches(self, rule: FaultRule, req: RequestInfo) -> bool:
        if rule.provider not in (None, req.provider) or rule.exhausted:
            return False
        if rule.account_id is not None and rule.account_id != req.account_id:
            return False
        if rule.method is not None and rule.method != req.method:
            return False
        return rule.path is None or fnmatch.fnmatchcase(req.path, rule.path)

    def _fires(self, rule: FaultRule) -> bool:
        """Count one matching occurrence; True when the rule acts on it (after / times / probability)."""
        rule.seen += 1
        if rule.seen <= rule.after or rule.exhausted:
            return False
        if rule.probability is not None and self._rngs[rule.id].random() >= rule.probability:
            return False
        rule.hits += 1
        return True

    def for_request(self, req: RequestInfo) -> FaultRule | None:
        """The first request-side rule (error, hang, latency, ...) that fires on this request, counted."""
        with self._lock:
            if req.forced is not None:
                forced = next((r for r in self._rules.values() if r.name == req.forced or r.id == req.forced), None)
                if forced is not None and not forced.is_delivery and forced.provider in (None, req.provider):
                    forced.seen += 1
                    forced.hits += 1
                    req.touched.append(forced.name or forced.id)
                    return forced
            for rule in self._rules.values():
                if rule.is_delivery or rule.on_demand or not self._matches(rule, req):
                    continue
                if rule.to is not None and not any(fnmatch.fnmatchcase(digits(d), rule.to)
                                                   for d in req.destinations or ()):
                    continue
                if self._fires(rule):
                    req.touched.append(rule.name or rule.id)
                    return rule
        return None

    def latency_s(self, rule: FaultRule) -> float:
        if isinstance(rule.latency_ms, list):
            with self._lock:
                return self._rngs[rule.id].uniform(*rule.latency_ms) / 1000
        return (rule.latency_ms or 0) / 1000

    def delivery_rules(self, provider: str, account_id: str) -> list[FaultRule]:
        """Delivery-side rules that match a submission made now (inside a request, or from core)."""
        req = CURRENT.get() or RequestInfo(provider, "", "")
        req = replace(req, provider=provider, account_id=account_id, touched=req.touched)
        out = []
        for rule in list(self._rules.values()):
            if not rule.is_delivery:
                continue
            if req.forced is not None and req.forced in (rule.name, rule.id):
                if rule.provider in (None, provider):  # named in X-Mock-Fault: its match fields do not apply
                    out.append(rule)
            elif not rule.on_demand and self._matches(rule, req):
                out.append(rule)
        return out

    # -- delivery side, applied inside the submission's transaction ------------------------------
    def on_submit(self, conn, inserted: Inserted, now: float) -> None:
        """Apply every matching delivery rule to the new message's recipients; mark the message."""
        msg = inserted.message
        req = CURRENT.get()
        names = list(req.touched) if req is not None else []
        if self._rules and msg.first_recipient_id is not None:
            for rule in self.delivery_rules(msg.provider, msg.account_id):
                if self._apply(conn, rule, msg.id, msg.first_recipient_id, msg.last_recipient_id):
                    names.append(rule.name or rule.id)
        if names:
            with self._lock:
                self.touched[msg.id] = list(dict.fromkeys(names))

    def _apply(self, conn, rule: FaultRule, message_id: int, lo: int, hi: int) -> bool:
        counted = rule.times is not None or rule.after or rule.probability is not None
        ids: set[int] | None = None
        if counted:
            found = fault_targets.matching_ids(conn, lo, hi, rule.to)
            with self._lock:
                ids = {i for i in found if self._fires(rule)}
            if not ids:
                return False
        touched = fault_targets.rewrite(conn, lo, hi, rule.to, ids, rule.dlr_status, rule.dlr_delay_s)
        if not counted:
            with self._lock:
                rule.seen += touched
                rule.hits += touched
        if touched and any(getattr(rule, e) for e in ("dlr_drop", "dlr_duplicate", "webhook_latency_ms",
                                                       "webhook_reorder")):
            with self._lock:
                self.marks.setdefault(message_id, []).append((rule, ids))
        return touched > 0

    def webhook_rules(self, change: StatusChange) -> list[FaultRule]:
        marks = self.marks.get(change.message.id)
        if not marks:
            return []
        out = []
        for rule, ids in marks:
            if ids is not None and change.recipient_id not in ids:
                continue
            if ids is None and rule.to is not None and not fnmatch.fnmatchcase(digits(change.msisdn), rule.to):
                continue
            out.append(rule)
        return out


@dataclass
class DelayedWebhook(OutgoingWebhook):
    """An outgoing webhook whose first attempt waits `delay_s` (Runtime.enqueue reads it)."""

    delay_s: float = 0.0


class FaultShaper:
    """Wraps a provider's WebhookShaper: status webhooks of recipients a rule marked are dropped,
    duplicated, delayed or reordered; the payloads themselves stay the provider's."""

    def __init__(self, inner: WebhookShaper, faults: Faults, reorder_s: float) -> None:
        self.inner, self.faults, self.reorder_s = inner, faults, reorder_s

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]:
        hooks = self.inner.status_webhooks(change)
        rules = self.faults.webhook_rules(change) if hooks else []
        for rule in rules:
            hooks = _shape(hooks, rule, change.status in FINAL, self.reorder_s)
        return hooks

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]:
        return self.inner.inbound_webhooks(inbound, account)

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]:
        return self.inner.review_webhooks(review, account)

    def __getattr__(self, name: str):
        """Everything else is the provider's own (e.g. `sign_headers`, which the dispatcher calls at each
        attempt: without it EngageLab's callbacks went out unsigned)."""
        return getattr(self.inner, name)


def _shape(hooks: Iterable[OutgoingWebhook], rule: FaultRule, final: bool, reorder_s: float) -> list[OutgoingWebhook]:
    if rule.dlr_drop and final:
        return []
    out: list[OutgoingWebhook] = []
    for hook in hooks:
        delay = getattr(hook, "delay_s", 0.0) + (rule.webhook_latency_ms or 0) / 1000
        key = hook.ordering_key
        if rule.webhook_reorder:
            key = ""  # no per-message ordering: a held-back receipt must not hold the later ones
            if not final:
                delay += reorder_s  # intermediate receipts arrive after the final one
        values = {f.name: getattr(hook, f.name) for f in fields(OutgoingWebhook)}
        shaped = DelayedWebhook(**{**values, "ordering_key": key}, delay_s=delay)
        out.append(shaped)
        if rule.dlr_duplicate:
            out.append(replace(shaped))
    return out
