"""The control API's answers as pydantic models: the one statement of the /_mock contract. Routes declare
them (so /_mock/docs shows them; single answers are validated by them, the long list pages are held to them
by tests/control/test_contract.py), and the test kit (mockserver.testing) parses answers with these same
classes. Only pydantic is imported here: the kit must stay cheap to import. Request bodies stay by their routes."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

#: A number that may be an int or a float on the wire: a plain `float` field would turn 5 into 5.0.
Number = int | float
T = TypeVar("T")


def _absent(value: Any) -> bool:
    return value is None


class Schema(BaseModel):
    """Extra fields are kept, not refused: a newer server never breaks an older kit, and a key a view adds
    without declaring it still reaches the wire (never filtered away) where the contract test flags it.
    The defaults make the kit lenient; the OpenAPI still marks every field the server always sends required."""

    model_config = ConfigDict(extra="allow", validate_by_name=True, validate_by_alias=True,
                              json_schema_serialization_defaults_required=True)

    def __getitem__(self, key: str) -> Any:
        """Read access by wire name: the kit handed these objects out as dicts before (msg.events[0]["status"])."""
        for name, info in type(self).model_fields.items():
            if key in (name, info.alias):
                return getattr(self, name)
        extra = self.__pydantic_extra__ or {}
        if key in extra:
            return extra[key]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


class Page(Schema, Generic[T]):
    """A keyset page: pass `next_cursor` as `cursor` for the next one (null: this was the last)."""

    items: list[T]
    next_cursor: str | None = None


class Recipient(Schema):
    id: int
    msisdn: str
    public_id: str | None = None
    status: str = Field(description="Neutral status: queued, sent, delivered, undelivered, failed, ...")
    outcome: str | None = Field(default=None, description="The final status it is heading for.")
    next_at: str | None = None
    updated_at: str | None = None
    sent_at: str | None = None
    done_at: str | None = None


class Event(Schema):
    id: int
    recipient_id: int | None = None
    status: str
    at: str | None = None
    detail: str | None = None


class WebhookAttempt(Schema):
    attempt: int
    sent_at: str | None = None
    at: str | None = None
    url: str | None = None
    request_headers: dict[str, Any] = Field(default_factory=dict)
    request_body: str | None = None
    response_status: int | None = None
    response_excerpt: str | None = None
    latency_ms: Number | None = None
    error: str | None = None


class Webhook(Schema):
    id: int
    provider: str
    account_id: str | None = None
    message_id: int | None = None
    kind: str
    ordering_key: str | None = None
    url: str
    headers: dict[str, Any] = Field(default_factory=dict)
    body: str | None = None
    payload: Any = Field(default=None, description="`body` parsed as JSON (null when it is not JSON).")
    status: str = Field(description="pending, delivered or failed.")
    attempts: int = 0
    max_attempts: int | None = None
    next_attempt_at: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    delivery_id: str | None = Field(default=None, description="The X-Mock-Delivery-Id header of every attempt.")
    attempt_log: list[WebhookAttempt] | None = Field(default=None, exclude_if=_absent, description=(
        "Every attempt; only when asked for (GET /webhooks?attempts=true, one webhook, a message's webhooks)."))


class Message(Schema):
    """One submission (one or many recipients); `id` is also the cursor for waits."""

    id: int
    public_id: str | None = None
    provider: str
    account_id: str
    channel: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = Field(default=None, description="The first recipient's number.")
    body: str
    encoding: str | None = None
    parts: int | None = None
    credits: int | None = None
    status: str = Field(description="The message's own status: scheduled, queued, completed, cancelled.")
    recipient_count: int = 1
    counts: dict[str, int] = Field(default_factory=dict, description="Recipients per neutral status.")
    otp: str | None = None
    codes: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    scheduled_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    completed_at: str | None = None
    next_due_at: str | None = None
    callback_url: str | None = None
    notify: bool = False
    sandbox: bool = False
    meta: Any = Field(default_factory=dict)
    faults: list[str] = Field(default_factory=list, description="Fault rules that touched it (name, else id).")
    # Only GET /_mock/messages/{id} sends these (MessageDetail); the kit reads both shapes with this class.
    recipients: Page[Recipient] | None = Field(default=None, exclude=True)
    events: list[Event] | None = Field(default=None, exclude=True)
    webhooks: list[Webhook] | None = Field(default=None, exclude=True)

    def recipient_statuses(self) -> set[str]:
        """Neutral statuses at least one recipient is in (from `counts`)."""
        return {status for status, n in self.counts.items() if n}


class MessageDetail(Message):
    recipients: Page[Recipient] | None = Field(description="The first page of recipients (null with "
                                                           "recipients_limit=0).")
    events: list[Event] = Field(description="The event timeline, oldest first.")
    webhooks: list[Webhook] = Field(description="Webhooks it caused, each with its attempt log.")


class WaitTimedOut(Schema):
    """The 408 of GET /messages/wait: what was waited for and what did arrive."""

    detail: str
    timeout: Number
    waited_for: dict[str, Any]
    seen: list[Message]


class ApiKey(Schema):
    key: str
    secret: str | None = None
    scopes: list[str] = Field(default_factory=list)
    status: str = "active"
    expires_at: str | None = None
    ip_allowlist: list[str] = Field(default_factory=list)
    sandbox: bool = False


class Account(Schema):
    """An account; `credentials` (what that vendor's client needs) only in the answer that created it."""

    id: str
    provider: str
    name: str = ""
    email: str = ""
    credits: int | None = None
    currency: str | None = None
    billing_type: str | None = None
    allowed_channels: list[str] = Field(default_factory=list)
    is_active: bool = True
    dlr_url: str | None = None
    mo_url: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    created_at: str | None = None
    keys: list[ApiKey] = Field(default_factory=list)
    credentials: dict[str, Any] = Field(default_factory=dict, exclude=True)


class CreatedAccount(Account):
    credentials: dict[str, Any] = Field(description="What the vendor's client needs, e.g. {\"api_key\": ...}.")


class Inbound(Schema):
    id: int
    public_id: str | None = None
    provider: str
    account_id: str
    from_: str = Field(alias="from")
    to: str
    body: str
    received_at: str | None = None
    otp: str | None = None
    codes: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    meta: Any = Field(default_factory=dict)
    webhooks: list[Webhook] = Field(default_factory=list, exclude=True)  # only in InjectedInbound


class InjectedInbound(Inbound):
    webhooks: list[Webhook] = Field(description="Its webhooks, attempted before the answer.")


class ChangedRecipient(Schema):
    recipient_id: int
    msisdn: str
    from_: str = Field(alias="from", description="The status it left.")
    to: str = Field(description="The status it was forced into.")
    steps: list[str] = Field(default_factory=list, description="Every status it passed (queued -> sent first).")


class ForcedStatus(Schema):
    message: Message
    changed: list[ChangedRecipient] = Field(default_factory=list)
    webhooks: int = Field(default=0, description="How many webhooks the change queued.")


class ClockState(Schema):
    now: float = Field(description="Epoch seconds, UTC.")
    iso: str
    frozen: bool


class AdvanceReport(ClockState):
    """What an advance did: transitions applied, webhook attempts answered (retries included), webhooks
    still pending when it answered (a retry due later, or not settled within MOCKSERVER_ADVANCE_MAX_WAIT)."""

    transitions: int = Field(default=0, description="Recipient and message state changes the advance applied.")
    webhook_attempts: int = Field(default=0, description="Webhook attempts made and answered during the "
                                                         "advance, retries included.")
    still_pending: int = Field(default=0, description="Webhooks still pending when it answered: a retry due "
                                                      "later, or not settled within MOCKSERVER_ADVANCE_MAX_WAIT.")


class Backpressure(Schema):
    active: bool
    threshold_s: Number | None = None
    lag_s: Number
    refused: int


class ProcessRow(Schema):
    """One process of the server, from the shared process table (mockserver/processes.py)."""

    pid: int
    role: str = Field(description="all (one process), api or engine.")
    alive: bool
    last_heartbeat: Number | None = Field(description="Wall-clock epoch seconds of its last heartbeat (null: none yet).")
    heartbeat_age_s: Number | None
    restarts: int = Field(description="How often the supervisor restarted this role's process.")


class Health(Schema):
    """200 once the server is ready (503 with status "starting" before)."""

    status: str = Field(description="ok, or starting.")
    version: str
    providers: list[str]
    time: Number = Field(description="The sandbox clock, epoch seconds.")
    scheduler_lag_s: Number = Field(description="Seconds between a transition's due time and when the "
                                                "background scheduler ran it.")
    webhook_lag_s: Number | None = Field(default=None, description="Seconds the oldest webhook due now (and "
                                         "not in flight) has been waiting for its attempt.")
    webhook_queue_depth: int | None = None
    webhooks_in_flight: int | None = None
    backpressure: Backpressure | None = Field(default=None, description="Sends answered with the vendor's 429 "
                                              "while scheduler_lag_s exceeds MOCKSERVER_BACKPRESSURE_LAG.")
    processes: list[ProcessRow] = Field(default_factory=list, description="Every process serving this sandbox "
                                        "(`serve --workers N`: the API processes and the engine; one row otherwise).")


class ResetResult(Schema):
    reset: bool
    provider: str | None = None
    account_id: str | None = None


class Fault(Schema):
    """A fault rule as /_mock/faults shows it: its match and effect fields, `hits`, `seen`, `exhausted`."""

    id: str
    name: str = ""
    provider: str | None = None
    account_id: str | None = None
    method: str | None = None
    path: str | None = None
    to: str | None = None
    times: Number | None = None
    after: Number = 0
    probability: Number | None = None
    on_demand: bool = False
    error: str | None = None
    status: int | None = None
    retry_after: Number | None = None
    latency_ms: Number | list[Number] | None = None
    hang: bool = False
    hang_s: Number = 60.0
    drop_connection: bool = False
    malformed: str | None = None
    charge: bool = False
    dlr_status: str | None = None
    dlr_delay_s: Number | None = None
    dlr_drop: bool = False
    dlr_duplicate: bool = False
    webhook_latency_ms: Number | None = None
    webhook_reorder: bool = False
    hits: int = Field(default=0, description="Times it fired.")
    seen: int = Field(default=0, description="Times it matched (fired or let through by after/probability).")
    exhausted: bool = False


class FaultList(Schema):
    items: list[Fault]


def _parsed(what: str) -> Any:
    """A captured body parsed as JSON. The API calls it `json`, which pydantic's own `.json()` method would
    shadow on the model, hence the field name `parsed` with that alias."""
    return Field(default=None, alias="json", description=f"{what} parsed as JSON (null when it is not JSON).")


class BinAnswer(Schema):
    """How a bin answers (PUT /_mock/bins/{name}); the usual answer is status 200, nothing else set."""

    status: int = 200
    retry_after: int | None = None
    latency: Number = 0.0
    body: str | None = None
    fail_first: int = 0


class BinSummary(Schema):
    bin: str
    count: int = Field(description="Requests it keeps.")
    requests: str = Field(description="Where to read them.")
    answer: BinAnswer | None = Field(default=None, description="Its misbehaviour, when one is set.")


class BinAnswerSet(Schema):
    bin: str
    answer: BinAnswer


class BinCleared(Schema):
    bin: str
    removed: int


class BinCaught(Schema):
    """The usual answer of a bin to a request it recorded."""

    ok: bool
    bin: str
    id: int


class BinRequest(Schema):
    """One request a request bin recorded (field names as the bins API gives them)."""

    id: int | str
    bin: str | None = None
    method: str | None = None
    path: str | None = None
    query: str = ""
    headers: dict[str, Any] = Field(default_factory=dict)
    body: Any = None
    body_encoding: str = "utf-8"
    parsed: Any = _parsed("The body")
    size: int | None = None
    truncated: bool = False
    remote: str | None = None
    at: str | None = None
    received_at: str | None = None


class JournaledResponse(Schema):
    status: int
    headers: dict[str, Any] = Field(default_factory=dict)
    body: str = ""
    parsed: Any = _parsed("The answer's body")
    size: int | None = None


class JournaledRequest(Schema):
    """One request a provider API received, accepted or refused, with its answer (/_mock/requests).
    Secrets are masked; `response` holds status, headers, body and `json` of the answer."""

    id: int
    at: str | None = None
    received_at: str | None = None
    provider: str
    account_id: str | None = None
    method: str
    path: str
    query: str = ""
    headers: dict[str, Any] = Field(default_factory=dict)
    body: str = ""
    body_encoding: str = "utf-8"
    parsed: Any = _parsed("The request body")
    size: int | None = None
    truncated: bool = False
    status: int = Field(description="The answer's status (0: none was sent, the client went away).")
    latency_ms: Number | None = None
    remote: str | None = None
    message_ids: list[int] = Field(default_factory=list, description="Messages it created.")
    response: JournaledResponse
    curl: str = ""


class Removed(Schema):
    removed: int
