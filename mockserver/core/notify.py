"""What a provider must tell core about webhooks: the payloads for status changes, inbound
messages and reviews, and the signature of each attempt. Core decides *when* to call these;
`webhooks.py` delivers the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from mockserver.core.models import Account, Inbound, Message


@dataclass
class OutgoingWebhook:
    url: str
    body: str  # JSON text, exactly as it goes on the wire
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "dlr"
    ordering_key: str = ""
    # What the shaper's sign_headers() needs to sign each attempt as it is sent (stored in the outbox,
    # JSON-able); empty: nothing to sign. Signatures made at queue time go stale across clock advances.
    signing: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecipientState:
    """A recipient as one status change left it: the columns shapers read, from the scheduler's own UPDATE
    (RETURNING), so a shaper needs no query per webhook (one per DLR was ~10 % of a tick that queues DLRs)."""

    id: int
    msisdn: str
    status: str
    sent_at: float | None
    done_at: float | None
    public_id: str | None


@dataclass
class StatusChange:
    #: The message: a Message, or the scheduler's plain row of the same columns (messages.plain; a Message
    #: per message was ~10 % of a tick's CPU). Shapers only read its attributes.
    message: Message
    account: Account
    recipient_id: int
    msisdn: str
    status: str  # neutral Status value
    at: float
    #: The recipient as this change left it, when the caller has it (the scheduler does); None: read it
    #: with core.store.recipients.as_changed, which falls back to the stored row.
    recipient: RecipientState | None = None


@dataclass
class Review:
    kind: str  # "template" | "sender"
    public_id: str
    name: str
    status: str  # "approved" | "rejected"
    remark: str
    at: float


class WebhookShaper(Protocol):
    """Implemented once per provider; every method may return [] when the vendor sends nothing."""

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]: ...

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]: ...

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]: ...

    # Optional: `sign_headers(signing: dict, now: float) -> dict[str, str]`, called at every attempt of a
    # webhook queued with `signing`, with wall-clock `now` (time.time()); its headers go on that request.
