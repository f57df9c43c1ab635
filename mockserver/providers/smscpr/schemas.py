"""Pydantic models of SMSCPR's wire format: the send request (with its field rules), the
DeliveryReceipt, the list page, the MO payload and the error body. Examples are the seed's own, but for
the send's callbackUrl: Swagger's Try-it must not make the sandbox post receipts off this machine.

Fields marked DESIGNED are not in the vendor's published page; see docs/providers/smscpr.md.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from mockserver.core import phone

SEED_SEND = {
    "servicePlanId": "222222222222222222222222",
    "channel": "SMS",
    "from": "+15550001111",
    "to": "+15550002222",
    "body": "Your verification code is 123456",
    "callbackUrl": "https://client.example.com/sms/status",
}
#: The send example Swagger shows: the seed's, with its callbackUrl (a client's host on the internet)
#: swapped for a request bin on this server, so Try-it's receipts can be read at /_mock/bins/smscpr-dlr.
EXAMPLE_CALLBACK_URL = "http://127.0.0.1:8000/_mock/bins/smscpr-dlr"
EXAMPLE_SEND = {**SEED_SEND, "callbackUrl": EXAMPLE_CALLBACK_URL}
SEED_DLR = {
    "accountId": "111111111111111111111111",
    "servicePlanId": "222222222222222222222222",
    "msgId": "019ee2da-e515-7322-805f-1ac6ce82f20f",
    "channel": "SMS",
    "direction": "MT",
    "from": "+15550001111",
    "to": "+15550002222",
    "body": "Your verification code is 123456",
    "status": "DELIVERED",
    "errorCode": "000",
    "errorMessage": "No error",
}
SEED_MO = {
    "servicePlanId": "222222222222222222222222",
    "msgId": "019f0000-aaaa-bbbb-cccc-000000000001",
    "channel": "SMS",
    "direction": "MO",
    "from": "+15550002222",
    "to": "+15550001111",
    "keyword": "Need",
    "body": "Need status update for order 12345",
    "receivedAt": "2026-06-22T05:10:03.120Z",
}

PLAN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
SHORT_CODE_RE = re.compile(r"[0-9]{3,8}")
ALPHA_SENDER_RE = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ._-]{1,11}")
URL_RE = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("smscpr_invalid", message)


class SendSmsRequest(BaseModel):
    """Body of POST /v1/sendsms (and POST /messages/sms). Unknown fields are ignored (DESIGNED)."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [EXAMPLE_SEND]})

    servicePlanId: str = Field(description="Your service plan id; it must belong to the token's account.",
                               examples=[SEED_SEND["servicePlanId"]])
    channel: str = Field(description='Always "SMS".', examples=["SMS"])
    from_: str = Field(alias="from", description="Sender: an E.164 number, a 3-8 digit short code or an "
                       "alphanumeric sender ID of 1-11 characters (DESIGNED rule).", examples=[SEED_SEND["from"]])
    to: str = Field(description="One destination in E.164 (a single string, not a list).", examples=[SEED_SEND["to"]])
    body: str = Field(description="Message text; not empty. Longer than the configured part limit: 422 (DESIGNED).",
                      examples=[SEED_SEND["body"]])
    callbackUrl: Optional[str] = Field(default=None, description="Where this message's delivery receipts go; "
                                       "without it, the account's DLR URL.", examples=[EXAMPLE_CALLBACK_URL])

    @field_validator("servicePlanId")
    @classmethod
    def _plan(cls, v: str) -> str:
        if not PLAN_RE.fullmatch(v):
            raise _fail("must be 1-64 letters, digits, '-' or '_'")
        return v

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if v != "SMS":
            raise _fail(f"unsupported channel {v[:20]!r}; only \"SMS\" is supported")
        return v

    @field_validator("from_")
    @classmethod
    def _from(cls, v: str) -> str:
        if not (phone.is_e164(v) or SHORT_CODE_RE.fullmatch(v) or ALPHA_SENDER_RE.fullmatch(v)):
            raise _fail("must be an E.164 number, a 3-8 digit short code or an alphanumeric sender ID (1-11 chars)")
        return v

    @field_validator("to")
    @classmethod
    def _to(cls, v: str) -> str:
        if not phone.is_e164(v):
            raise _fail("must be an E.164 number such as +15550002222")
        return v

    @field_validator("body")
    @classmethod
    def _body(cls, v: str) -> str:
        if not v.strip():
            raise _fail("must not be empty")
        return v

    @field_validator("callbackUrl")
    @classmethod
    def _callback(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and (len(v) > 2048 or not URL_RE.fullmatch(v)):
            raise _fail("must be an absolute http(s) URL of at most 2048 characters")
        return v


class DeliveryReceipt(BaseModel):
    """The per-message status record: the send response, GET by msgId, list items and the DLR webhook."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [SEED_DLR]})

    accountId: str = Field(description="Your account id.")
    servicePlanId: str = Field(description="The service plan the message was sent on.")
    msgId: str = Field(description="Message id, a UUIDv7 string.")
    channel: str = Field(description='"SMS".')
    direction: str = Field(description='"MT" (mobile terminated).')
    from_: str = Field(alias="from", description="Sender as submitted.")
    to: str = Field(description="Destination, E.164.")
    body: str = Field(description="Message text.")
    status: str = Field(description="QUEUED, DISPATCHED, DELIVERED, UNDELIVERED, FAILED, REJECTED, EXPIRED, "
                        "BLOCKED, UNKNOWN, CANCELLED (DESIGNED beyond the vendor's QUEUED and DELIVERED).")
    errorCode: str = Field(description='"000" when nothing went wrong; the DESIGNED code table otherwise.')
    errorMessage: str = Field(description='"No error", or what went wrong.')
    callbackUrl: Optional[str] = Field(default=None, description="DESIGNED: the callbackUrl of the send request.")
    parts: int = Field(description="DESIGNED: SMS parts the body needs (GSM-7 160/153, UCS-2 70/67).")
    createdAt: str = Field(description="DESIGNED: when the message was accepted, ISO-8601 UTC with milliseconds.")
    sentAt: Optional[str] = Field(default=None, description="When the carrier took the message; null until a "
                                  "final state (and in FAILED/REJECTED, which were never sent).")
    doneAt: Optional[str] = Field(default=None, description="DESIGNED: when the final state was reached; null before.")
    price: Optional[float] = Field(default=None, description="DESIGNED type: price in USD (parts x price per "
                                   "part); null until final, 0 when nothing was charged (FAILED, REJECTED).")
    ptf: Optional[float] = Field(default=None, description="DESIGNED meaning: carrier pass-through fee in USD "
                                 "(+1 destinations only); null until final.")
    mccmnc: Optional[str] = Field(default=None, description="Destination network MCC+MNC, e.g. \"310260\"; "
                                  "null until final (DESIGNED fallback table for unknown carriers).")


class MessageList(BaseModel):
    """DESIGNED page shape (after Infobip's cursor logs)."""

    results: list[DeliveryReceipt] = Field(description="Newest first.")
    nextCursor: Optional[str] = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InboundSms(BaseModel):
    """The MO webhook body POSTed to the account's inbound URL."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [SEED_MO]})

    servicePlanId: str
    msgId: str = Field(description="UUIDv7 string.")
    channel: str = Field(description='"SMS".')
    direction: str = Field(description='"MO".')
    from_: str = Field(alias="from", description="The handset that sent the message.")
    to: str = Field(description="Your number.")
    keyword: str = Field(description="The first word of the body.")
    body: str
    receivedAt: str = Field(description="ISO-8601 UTC with milliseconds and Z.")


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """DESIGNED error envelope, the same for every status."""

    errorCode: str = Field(examples=["INVALID_PARAMETER"])
    errorMessage: str = Field(examples=["to: must be an E.164 number such as +15550002222"])
    details: list[ErrorDetail] = Field(default_factory=list, description="Field-level errors (400); else [].")
