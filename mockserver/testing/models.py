"""Typed results of the test kit's client: pydantic views of what /_mock answers. Lenient on purpose
(extra fields are kept, not refused), so a newer server never breaks an older kit."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Recipient(_Lenient):
    id: int
    msisdn: str
    status: str
    public_id: str | None = None
    outcome: str | None = None


class WebhookAttempt(_Lenient):
    attempt: int
    at: str | None = None
    url: str | None = None
    response_status: int | None = None
    response_excerpt: str | None = None
    latency_ms: float | None = None
    error: str | None = None


class Webhook(_Lenient):
    id: int
    provider: str
    account_id: str | None = None
    message_id: int | None = None
    kind: str
    url: str
    status: str = Field(description="pending, delivered or failed.")
    attempts: int = 0
    body: str | None = None
    payload: Any = None
    headers: dict[str, Any] = Field(default_factory=dict)
    last_status_code: int | None = None
    last_error: str | None = None
    attempt_log: list[WebhookAttempt] | None = None


class Message(_Lenient):
    """One submission (one or many recipients); `id` is also the cursor for waits."""

    id: int
    public_id: str | None = None
    provider: str
    account_id: str
    from_: str | None = Field(default=None, alias="from")
    to: str | None = Field(default=None, description="The first recipient's number.")
    body: str
    status: str = Field(description="The message's own status: scheduled, queued, completed, cancelled.")
    recipient_count: int = 1
    counts: dict[str, int] = Field(default_factory=dict, description="Recipients per neutral status.")
    otp: str | None = None
    codes: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    created_at: str | None = None
    recipients: dict[str, Any] | None = None
    events: list[dict[str, Any]] | None = None
    webhooks: list[Webhook] | None = None
    faults: list[str] = Field(default_factory=list, description="Fault rules that touched it (name, else id).")

    def recipient_statuses(self) -> set[str]:
        """Neutral statuses at least one recipient is in (from `counts`)."""
        return {status for status, n in self.counts.items() if n}


class Account(_Lenient):
    """An account as POST /_mock/accounts answers it; `credentials` is what that vendor's client needs."""

    id: str
    provider: str
    credits: int | None = None
    currency: str | None = None
    dlr_url: str | None = None
    mo_url: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    keys: list[dict[str, Any]] = Field(default_factory=list)
    credentials: dict[str, Any] = Field(default_factory=dict)


class Inbound(_Lenient):
    id: int
    provider: str
    account_id: str
    from_: str = Field(alias="from")
    to: str
    body: str
    otp: str | None = None
    webhooks: list[Webhook] = Field(default_factory=list)


class Fault(_Lenient):
    """A fault rule as /_mock/faults shows it: its match and effect fields, `hits`, `seen`, `exhausted`."""

    id: str
    name: str = ""
    provider: str | None = None
    hits: int = 0
    seen: int = 0
    exhausted: bool = False


class ClockState(_Lenient):
    now: float
    iso: str
    frozen: bool


class AdvanceReport(ClockState):
    """What advance() did: transitions applied, webhook attempts answered (retries included), webhooks
    still pending when it answered (a retry due later, or not settled within MOCKSERVER_ADVANCE_MAX_WAIT)."""

    transitions: int = 0
    webhook_attempts: int = 0
    still_pending: int = 0


class ForcedStatus(_Lenient):
    message: Message
    changed: list[dict[str, Any]] = Field(default_factory=list, description="{recipient_id, msisdn, from, to}.")
    webhooks: int = Field(default=0, description="How many webhooks the change queued.")


class BinRequest(_Lenient):
    """One request a request bin recorded (field names as the bins API gives them)."""

    id: int | str
    method: str | None = None
    path: str | None = None
    headers: dict[str, Any] = Field(default_factory=dict)
    body: Any = None
    # The API calls it `json`, which pydantic's own `.json()` method would shadow on the model.
    parsed: Any = Field(default=None, validation_alias=AliasChoices("parsed", "json"),
                        description="The body parsed as JSON (None when it is not JSON).")


class JournaledRequest(_Lenient):
    """One request a provider API received, accepted or refused, with its answer (/_mock/requests).
    Secrets are masked; `response` holds status, headers, body and `json` of the answer."""

    id: int
    provider: str
    method: str
    path: str
    status: int
    account_id: str | None = None
    query: str = ""
    headers: dict[str, Any] = Field(default_factory=dict)
    body: str = ""
    # The API calls it `json`, which pydantic's own `.json()` method would shadow on the model.
    parsed: Any = Field(default=None, validation_alias=AliasChoices("parsed", "json"),
                        description="The request body parsed as JSON (None when it is not JSON).")
    response: dict[str, Any] = Field(default_factory=dict)
    message_ids: list[int] = Field(default_factory=list)
    latency_ms: float | None = None
    curl: str = ""
