"""What delivery fault rules leave on a message (its meta's "fault_marks": the rules that touched it, and
the webhook shapes of the recipients they marked) and how its status webhooks are shaped by them. The
marks travel with the message row, so the engine process shapes the receipts of a send another process
took without asking anyone. Rules themselves are core/faults.py's; payloads stay the provider's."""

from __future__ import annotations

import fnmatch
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from mockserver.core.lifecycle import FINAL
from mockserver.core.notify import OutgoingWebhook, StatusChange, WebhookShaper

if TYPE_CHECKING:
    from mockserver.core.models import Account, Inbound
    from mockserver.core.notify import Review

#: The message meta key of the marks; control views take it out of the meta they show.
MARKS = "fault_marks"
#: What a mark keeps of its rule: the effects on webhooks and the number glob they apply to.
WEBHOOK_EFFECTS = ("dlr_drop", "dlr_duplicate", "webhook_latency_ms", "webhook_reorder")


def digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


@dataclass(frozen=True)
class Shape:
    """One rule's mark on a message: its webhook effects, on the recipients `ids` (None: every recipient
    whose number matches `to`)."""

    to: str | None = None
    ids: frozenset[int] | None = None
    dlr_drop: bool = False
    dlr_duplicate: bool = False
    webhook_latency_ms: int | None = None
    webhook_reorder: bool = False

    def applies(self, change: StatusChange) -> bool:
        if self.ids is not None:
            return change.recipient_id in self.ids
        return self.to is None or fnmatch.fnmatchcase(digits(change.msisdn), self.to)


def shape_of(rule: Any, ids: set[int] | None) -> dict[str, Any] | None:
    """The mark a delivery rule leaves (JSON-ready), or None if it shapes no webhook."""
    effects = {e: getattr(rule, e) for e in WEBHOOK_EFFECTS if getattr(rule, e)}
    if not effects:
        return None
    return {**effects, "to": rule.to, "ids": sorted(ids) if ids is not None else None}


def with_marks(meta: str | None, names: list[str], shapes: list[dict[str, Any]]) -> str:
    """The message meta with its marks (the rule names that touched it, the webhook shapes)."""
    return json.dumps({**json.loads(meta or "{}"), MARKS: {"names": names, "shapes": shapes}})


def names_of(meta: str | None) -> list[str]:
    """The rules (name, else id) that touched a message, from its meta."""
    if not meta or MARKS not in meta:
        return []
    return list(json.loads(meta).get(MARKS, {}).get("names", []))


def public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The meta a client is shown: the marks are the sandbox's bookkeeping (shown as `faults`)."""
    return {k: v for k, v in meta.items() if k != MARKS} if MARKS in meta else meta


class _Parsed:
    """Marks parsed once per message and process (a DLR burst reads the same message's many times);
    keyed by id and checked against the meta text, since ids start again after a reset."""

    LIMIT = 4096

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[int, tuple[str, list[Shape]]] = {}

    def shapes(self, message_id: int, meta: str) -> list[Shape]:
        found = self._by_id.get(message_id)
        if found is not None and found[0] == meta:
            return found[1]
        raw = json.loads(meta).get(MARKS, {}).get("shapes", [])
        shapes = [Shape(**{**s, "ids": frozenset(s["ids"]) if s.get("ids") is not None else None}) for s in raw]
        with self._lock:
            if len(self._by_id) >= self.LIMIT:
                self._by_id.clear()
            self._by_id[message_id] = (meta, shapes)
        return shapes


_PARSED = _Parsed()


def shapes_for(change: StatusChange) -> list[Shape]:
    """The marks that apply to this recipient's status change (none: one substring test)."""
    meta = change.message.meta
    if not meta or MARKS not in meta:
        return []
    return [s for s in _PARSED.shapes(change.message.id, meta) if s.applies(change)]


@dataclass
class DelayedWebhook(OutgoingWebhook):
    """An outgoing webhook whose first attempt waits `delay_s` (Runtime.enqueue reads it)."""

    delay_s: float = 0.0


class FaultShaper:
    """Wraps a provider's WebhookShaper: status webhooks of recipients a rule marked are dropped,
    duplicated, delayed or reordered; the payloads themselves stay the provider's."""

    def __init__(self, inner: WebhookShaper, reorder_s: float) -> None:
        self.inner, self.reorder_s = inner, reorder_s

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]:
        hooks = self.inner.status_webhooks(change)
        shapes = shapes_for(change) if hooks else []
        for shape in shapes:
            hooks = _shape(hooks, shape, change.status in FINAL, self.reorder_s)
        return hooks

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]:
        return self.inner.inbound_webhooks(inbound, account)

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]:
        return self.inner.review_webhooks(review, account)

    def __getattr__(self, name: str):
        """Everything else is the provider's own (e.g. `sign_headers`, which the dispatcher calls at each
        attempt: without it EngageLab's callbacks went out unsigned)."""
        return getattr(self.inner, name)


def _shape(hooks: Iterable[OutgoingWebhook], shape: Shape, final: bool, reorder_s: float) -> list[OutgoingWebhook]:
    if shape.dlr_drop and final:
        return []
    out: list[OutgoingWebhook] = []
    for hook in hooks:
        delay = getattr(hook, "delay_s", 0.0) + (shape.webhook_latency_ms or 0) / 1000
        key = hook.ordering_key
        if shape.webhook_reorder:
            key = ""  # no per-message ordering: a held-back receipt must not hold the later ones
            if not final:
                delay += reorder_s  # intermediate receipts arrive after the final one
        values = {f.name: getattr(hook, f.name) for f in fields(OutgoingWebhook)}
        shaped = DelayedWebhook(**{**values, "ordering_key": key}, delay_s=delay)
        out.append(shaped)
        if shape.dlr_duplicate:
            out.append(replace(shaped))
    return out
