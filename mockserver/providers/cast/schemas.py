"""Request and response bodies of the Cast API, with Cast's field descriptions and the seed's examples.

Length limits are enforced in validation.py (they differ between /api and /api/v1), not here, so
their errors carry Cast's exact texts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

TO_DOC = ("Recipient phone number: an 11-digit Philippine mobile number (`09171234567`), `639171234567` "
          "or `+639171234567`; /api/v1 also takes any valid E.164 number. 7-15 characters (/api/v1: 7-20).")
MESSAGE_DOC = ("Message content. Max 300 characters (2 SMS parts) recommended; absolute limit 450 characters "
               "(3 parts) on /api, 10,000 characters (auto multipart) on /api/v1.")
SENDER_DOC = ("Sender ID to use. Max 11 characters (/api/v1: 20). Must be pre-approved. Defaults to your assigned "
              "sender ID if only one is configured.")
SCHEDULED_DOC = ("Optional ISO-8601 UTC time at least 30 seconds ahead; the send answers 202 and is dispatched "
                 "then. Not accepted by otp/send.")


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SendRequest(_Body):
    to: str = Field(description=TO_DOC, examples=["09171234567"])
    message: str = Field(description=MESSAGE_DOC, examples=["Your verification code is 123456."])
    sender_id: str | None = Field(default=None, description=SENDER_DOC, examples=["MYAPP"])
    scheduled_at: str | None = Field(default=None, description=SCHEDULED_DOC)

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [
        {"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"}]})


class BulkRequest(_Body):
    to: list[str] = Field(description="List of recipient phone numbers. Min 1, max 1,000. Each must be a valid "
                                      "phone number; an invalid one fails alone (see `results`).",
                          examples=[["09171234567", "09181234567"]])
    message: str = Field(description="Message content to send to all recipients.", examples=["Hello from Cast!"])
    sender_id: str | None = Field(default=None, description=SENDER_DOC, examples=["MYAPP"])
    scheduled_at: str | None = Field(default=None, description=SCHEDULED_DOC)

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [
        {"to": ["09171234567", "09181234567"], "message": "Hello from Cast!", "sender_id": "MYAPP"}]})


class SendResponse(BaseModel):
    success: bool = Field(description="`true` if the message was sent.")
    message_id: str = Field(description="Gateway-assigned message identifier.", examples=["CAST9f3a1c2e0000002a"])
    parts: int = Field(description="Number of SMS parts (standard SMS = 1 part per 160 characters).")
    sandbox: bool | None = Field(default=None, description="Present (true) for `cast_test_` keys only.")


class ScheduledResponse(BaseModel):
    success: bool
    scheduled: int | None = Field(default=None, description="Bulk only: destinations scheduled.")
    scheduled_at: str = Field(description="The accepted dispatch time (RFC 3339, UTC).")


class BulkResult(BaseModel):
    to: str
    success: bool
    message_id: str | None = None
    parts: int | None = None
    error: str | None = Field(default=None, description="Why this destination failed.")


class BulkResponse(BaseModel):
    success: bool = Field(description="`true` only if all destinations were sent successfully.")
    total: int = Field(description="Total number of destinations in the request.")
    sent: int = Field(description="Number of messages successfully sent.")
    failed: int = Field(description="Number of messages that failed.")
    results: list[BulkResult] = Field(description="Per-destination result, in request order.")
    sandbox: bool | None = None


class ErrorResponse(BaseModel):
    success: bool = Field(examples=[False])
    error: str = Field(examples=["insufficient credits: need 6, have 3"])
    error_code: str | None = Field(default=None, description="/api/v1 only: a stable code such as "
                                                             "`INSUFFICIENT_CREDITS`.")


class StatusResponse(BaseModel):
    success: bool
    message_id: str
    status: str = Field(description="sent (submitted) | pending (ACCEPTD) | delivered | undelivered | failed "
                                    "(| scheduled, ours)")
    sent_at: str | None = None
    dlr_status: str | None = Field(default=None, description="ACCEPTD | DELIVRD | UNDELIV | EXPIRED | REJECTD")
    delivered_at: str | None = None
    error_message: str | None = None


class LogEntry(BaseModel):
    id: int = Field(description="The log row's id (an integer).")
    message_type: str = Field(description="sms | otp | bulk | sim")
    sender_id: str | None
    destination: str
    message: str
    smpp_message_id: str = Field(description="The CAST… message id the send answered.")
    status: str = Field(description="sent | failed (| scheduled, ours)")
    parts: int
    created_at: str
    dlr_status: str | None = None
    delivered_at: str | None = None


class LogsResponse(BaseModel):
    success: bool
    count: int = Field(description="Number of entries in `logs`.")
    logs: list[LogEntry]


class SenderIdRequest(_Body):
    sender_id: str = Field(description="The sender ID to register (max 20 characters).", examples=["MYSHOP"])
    company_name: str = Field(description="Registered company name.", examples=["My Shop Inc."])
    reason: str = Field(description="What the sender ID will be used for.", examples=["Order notifications"])
    designation: str | None = Field(default=None, examples=["CTO"])
    name: str | None = Field(default=None, description="Contact person.", examples=["Juan dela Cruz"])
    company_address: str | None = Field(default=None, examples=["Makati City, Metro Manila"])
    sample_message: str | None = Field(default=None, examples=["Your order #123 has shipped."])


class SenderIdDeleteRequest(_Body):
    sender_id: str = Field(description="An assigned sender ID.", examples=["MYAPP"])
    reason: str = Field(examples=["No longer used"])


class SenderIdRequestResponse(BaseModel):
    success: bool
    request_id: int
    status: str = Field(examples=["pending_review"])
    message: str


class UnsubscribeTokenRequest(_Body):
    phone: str = Field(description="Subscriber number (PH local or E.164).", examples=["09171234567"])
    sender_id: str = Field(description="The sender ID the subscriber opts out of.", examples=["MYAPP"])


class ViberText(_Body):
    type: str = Field(description="Only `text` is supported.", examples=["text"])
    text: str | None = Field(default=None, examples=["Hello from Cast on Viber!"])


class ViberOptions(_Body):
    ttl: int = Field(default=86_400, description="Seconds to try delivery (>= 60).", examples=[86400])
    external_id: str | None = Field(default=None, description="Your own reference, echoed nowhere else.")


class ViberRequest(_Body):
    recipient: str = Field(description="Recipient in E.164 format.", examples=["+639171234567"])
    sender_code: str | None = Field(default=None, description="Viber sender code (optional).")
    label: str | None = Field(default=None, description="Message label, e.g. `promotion` or `transaction`.")
    content: list[ViberText] = Field(description="Message parts; one `{type: text, text}` item.",
                                     examples=[[{"type": "text", "text": "Hello from Cast on Viber!"}]])
    options: ViberOptions | None = None
