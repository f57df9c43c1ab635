"""Canonical tables (SQLModel): accounts, keys, senders, templates, messages, recipients, events, webhooks.

Timestamps are float epoch seconds from the Clock. JSON-ish columns hold JSON text. Vendor-specific
extras live in each row's `extra` JSON, never in new vendor-named columns.
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, SQLModel

from mockserver.core.delivery.retry import DEFAULT_MAX_ATTEMPTS


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True)
    provider: str = Field(index=True)
    name: str = ""
    email: str = ""
    credits: int = 0
    currency: str = ""  # empty: the provider's own currency
    billing_type: str = "topup"
    allowed_channels: str = '["sms","otp","bulk"]'
    is_active: bool = True
    dlr_url: Optional[str] = None
    mo_url: Optional[str] = None
    extra: str = "{}"
    created_at: float = 0.0


class ApiKey(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    provider: str = Field(index=True)
    key: str = Field(index=True)
    secret: Optional[str] = None
    account_id: str = Field(index=True)
    scopes: str = '["*"]'
    status: str = "active"  # active | revoked | disabled
    expires_at: Optional[float] = None
    ip_allowlist: str = "[]"
    sandbox: bool = False
    created_at: float = 0.0


class Sender(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    public_id: str = ""
    provider: str = Field(index=True)
    account_id: str = Field(index=True)
    name: str
    status: str = "approved"  # approved | pending | rejected
    channel: str = "sms"
    label: str = ""
    extra: str = "{}"
    review_at: Optional[float] = None
    created_at: float = 0.0
    updated_at: float = 0.0


class Template(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    public_id: str = Field(index=True)
    provider: str = Field(index=True)
    account_id: str = Field(index=True)
    name: str = ""
    content: str = ""
    kind: str = ""
    status: str = "approved"  # approved | pending | rejected
    audit_remark: str = ""
    extra: str = "{}"
    review_at: Optional[float] = None
    created_at: float = 0.0
    updated_at: float = 0.0


class ContactGroup(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    public_id: str = ""
    provider: str = Field(index=True)
    account_id: str = Field(index=True)
    name: str = ""
    numbers: str = "[]"
    created_at: float = 0.0


class Message(SQLModel, table=True):
    """One submission: one body sent to one or many recipients."""

    id: Optional[int] = Field(default=None, primary_key=True)
    public_id: str = Field(index=True)
    provider: str = Field(index=True)
    account_id: str = Field(index=True)
    channel: str = "sms"
    sender: Optional[str] = None
    body: str = ""
    encoding: str = "GSM-7"
    parts: int = 1
    credits: int = 0  # credits currently held for this message (after refunds)
    status: str = "queued"  # scheduled | queued | completed | cancelled
    recipient_count: int = 0
    first_recipient_id: Optional[int] = None
    last_recipient_id: Optional[int] = None
    scheduled_at: Optional[float] = None
    next_due_at: Optional[float] = Field(default=None, index=True)
    callback_url: Optional[str] = None
    notify: bool = False  # the provider wants a webhook per recipient state change
    track_events: bool = True  # record per-recipient events (off for huge sends)
    sandbox: bool = False
    meta: str = "{}"
    created_at: float = 0.0
    updated_at: float = 0.0
    completed_at: Optional[float] = None


class Recipient(SQLModel, table=True):
    """One destination of a message. Integer key = keyset cursor; rows of a message are contiguous."""

    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: int
    msisdn: str
    public_id: Optional[str] = None
    status: str = "queued"
    outcome: str = "delivered"
    next_at: Optional[float] = None
    updated_at: Optional[float] = None
    sent_at: Optional[float] = None
    done_at: Optional[float] = None


class MessageCount(SQLModel, table=True):
    """Kept per-status counters, so summaries are O(1) even for 2M recipients."""

    message_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True)
    n: int = 0


class Event(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: int = Field(index=True)
    recipient_id: Optional[int] = None
    status: str
    at: float
    detail: str = ""


class Inbound(SQLModel, table=True):
    """A mobile-originated (MO) message injected through the control API."""

    id: Optional[int] = Field(default=None, primary_key=True)
    public_id: str = ""
    provider: str = Field(index=True)
    account_id: str = Field(index=True)
    sender: str = ""
    recipient: str = ""
    body: str = ""
    received_at: float = 0.0
    meta: str = "{}"


class Webhook(SQLModel, table=True):
    """A persistent outbox row: one HTTP callback to deliver, retried until done or exhausted."""

    id: Optional[int] = Field(default=None, primary_key=True)
    provider: str = Field(index=True)
    account_id: str = ""
    message_id: Optional[int] = Field(default=None, index=True)
    kind: str = "dlr"  # dlr | mo | notification | verify
    ordering_key: str = ""
    url: str
    headers: str = "{}"
    body: str = ""
    status: str = Field(default="pending", index=True)  # pending | delivered | failed
    attempts: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    next_attempt_at: Optional[float] = None
    last_status_code: Optional[int] = None
    last_error: Optional[str] = None
    created_at: float = 0.0
    updated_at: float = 0.0
    # Sent as X-Mock-Delivery-Id on every attempt and redelivery, so receivers can de-duplicate.
    delivery_id: str = ""
    # JSON the provider's shaper signs at each attempt (sign_headers), wall-clock time; "" = unsigned.
    signing: str = ""
    host: str = ""  # the URL's host:port: deliveries run in one lane per host
    # Wall-clock time until which an attempt holds this row; after a crash it is sent again once it expires.
    lease_until: Optional[float] = None


class WebhookAttempt(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    webhook_id: int = Field(index=True)
    attempt: int = 1
    at: float = 0.0
    url: str = ""
    request_headers: str = "{}"
    request_body: str = ""
    response_status: Optional[int] = None
    response_excerpt: str = ""
    latency_ms: float = 0.0
    error: Optional[str] = None
    sent_at: float = 0.0  # sandbox time the request went out (`at`: when it answered or failed)
    delivery_id: str = ""


class Idempotency(SQLModel, table=True):
    """A stored response replayed for a repeated idempotency key."""

    provider: str = Field(primary_key=True)
    key_owner: str = Field(primary_key=True)  # the API key (its string) the response belongs to
    idem_key: str = Field(primary_key=True)
    status_code: int = 200
    body: str = ""
    headers: str = "{}"
    created_at: float = 0.0


class RuntimeState(SQLModel, table=True):
    """What must survive a restart besides the data: the clock's offset (or frozen time), and how
    many times this database has been started (salts the id seed, so ids never repeat)."""

    id: int = Field(default=1, primary_key=True)
    offset: float = 0.0
    frozen_at: Optional[float] = None
    boots: int = 0
    # +1 on every clock change: replicas re-read the clock when it moves (core/shared.py). A server default,
    # so the older INSERTs naming only the first columns keep working.
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class BinRequest(SQLModel, table=True):
    """One HTTP request caught by a request bin (/_mock/bins/{bin}): what a webhook receiver would see.
    `at` is the sandbox clock (lines up with message events), `received_at` the wall clock."""

    id: Optional[int] = Field(default=None, primary_key=True)
    bin: str = Field(index=True)
    method: str = ""
    path: str = ""
    query: str = ""
    headers: str = "{}"  # JSON object, lower-case names; a repeated header's values joined by ", "
    body: str = ""  # UTF-8 text, or base64 when body_encoding says so
    body_encoding: str = "utf-8"  # utf-8 | base64
    body_size: int = 0  # bytes received, before any truncation
    truncated: bool = False
    remote: str = ""
    at: float = 0.0
    received_at: float = 0.0


class BinRule(SQLModel, table=True):
    """How a request bin answers (PUT /_mock/bins/{bin}), shared by replicas: a status (with Retry-After),
    after a latency, with a body; with `fail_first` only the bin's first N caught requests answer so."""

    bin: str = Field(primary_key=True)
    status: int = 200
    retry_after: Optional[int] = None  # seconds, sent as Retry-After when set
    latency: float = 0.0  # wall-clock seconds before the answer
    body: Optional[str] = None  # None: the usual {"ok": true, "bin": ..., "id": ...}
    fail_first: int = 0  # 0: every request answers `status`; N: the first N, then 200
    updated_at: float = 0.0


class RateBucket(SQLModel, table=True):
    """A shared token bucket (core/ratelimit.py), one per limiter scope and key, when replicas share state."""

    key: str = Field(primary_key=True)  # "<scope>\x1f<client key>" (PostgreSQL text holds no NUL)
    tokens: float = 0.0
    refilled_at: float = 0.0  # sandbox clock


class FeedEventRow(SQLModel, table=True):
    """The live feed as rows, so an event published on one replica reaches streams open on the others
    (core/feed/relay.py); pruned to the newest few thousand. (core/feed.FeedEvent is the event itself.)"""

    __tablename__ = "feedevent"

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = ""
    data: str = "{}"  # JSON object
    at: float = 0.0  # wall clock, like core/feed.FeedEvent.at


class JournalEntry(SQLModel, table=True):
    """One request to a provider mount, accepted or refused, and its answer (core/journal.py records it).
    Secrets in headers and query are already redacted; `message_ids` is ",12,13," (the messages it created)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: float = Field(default=0.0, index=True)  # sandbox clock (lines up with message events)
    received_at: float = 0.0  # wall clock
    provider: str = Field(default="", index=True)
    account_id: str = Field(default="", index=True)  # empty when the request named no known account
    method: str = ""
    path: str = ""
    query: str = ""
    headers: str = "{}"  # JSON object, lower-case names, secrets redacted
    body: str = ""  # UTF-8 text, or base64 when body_encoding says so; the first 64 KiB
    body_encoding: str = "utf-8"
    body_size: int = 0
    status: int = Field(default=0, index=True)  # 0: no answer was sent (the client went away)
    response_headers: str = "{}"
    response_body: str = ""  # an excerpt
    response_size: int = 0
    latency_ms: float = 0.0
    message_ids: str = ""
    remote: str = ""


class FaultRuleRow(SQLModel, table=True):
    """A fault rule (core/faults.py) where every process reads it: its fields as JSON in `spec`, its order,
    and its counters, moved by conditional UPDATEs so `times` and `after` hold across processes. `times`,
    `after`, `provider` and `account_id` are columns too: the SQL that counts and clears reads them.
    `fixture`: the digest of its fixtures/faults.toml entry (None: added through /_mock/faults)."""

    __tablename__ = "faultrule"
    id: str = Field(primary_key=True)
    position: int = 0
    spec: str = "{}"
    provider: Optional[str] = None
    account_id: Optional[str] = None
    times: Optional[int] = None
    after: int = 0
    hits: int = 0
    seen: int = 0
    fixture: Optional[str] = None


class FaultSequence(SQLModel, table=True):
    """One row: the last number given to a fault rule id (flt_<n>); a full clear starts it again."""

    __tablename__ = "faultsequence"
    id: int = Field(primary_key=True)
    n: int = 0
