"""Request and response bodies of the me-sms v2 API (pydantic v2), with the seed's field descriptions and
examples so Swagger's Try-it works. Shapes marked DESIGNED are not recovered from the vendor."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mockserver.providers.openapi import error_responses as shared_error_responses

EXAMPLE_NUMBERS = ["66812345678", "0898765432"]


class SendRequest(BaseModel):
    """Body of POST /api/v2/sms/send (names recovered from the vendor's page)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": {
        "sender": "MeSMS", "content": "Hello from me-sms", "msisdns": EXAMPLE_NUMBERS}})

    sender: str = Field(description="Approved sender name, at most 11 characters (English, digits, symbols).",
                        examples=["MeSMS"])
    content: str | None = Field(default=None, description="Message text, at most 1,000 characters. Thai counts "
                                "70 characters per SMS, English 160. Either content or templateId is required.")
    msisdns: list[str] | None = Field(default=None, description="66XXXXXXXXX or 0XXXXXXXXX. Up to 2,000,000 numbers "
                                      "per request. Either msisdns or contactGroupId is required.",
                                      examples=[EXAMPLE_NUMBERS])
    contactGroupId: int | None = Field(default=None, description="All numbers in the contact group are resolved.")
    templateId: int | None = Field(default=None, description="Saved template used instead of content.")
    variables: dict[str, Any] | None = Field(default=None, description='Fill placeholders like {{name}}, e.g. '
                                             '{"name":"Toon"}.')
    scheduledTime: str | None = Field(default=None, description="ISO 8601 with offset, e.g. 2026-06-01T10:00:00+07:00.",
                                      examples=["2026-06-01T10:00:00+07:00"])
    dryRun: bool = Field(default=False, description="true to estimate cost and message parts without consuming "
                         "credits or actually sending.")


class PreviewRequest(BaseModel):
    """Body of the preview endpoint (DESIGNED path; fields as in send)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": {
        "content": "สวัสดีค่ะ คุณลูกค้า", "msisdns": EXAMPLE_NUMBERS}})

    sender: str | None = Field(default=None, description="Optional; checked like send when given.")
    content: str | None = Field(default=None, description="Message text (or templateId + variables).")
    msisdns: list[str] | None = Field(default=None, description="Numbers (or contactGroupId).")
    contactGroupId: int | None = None
    templateId: int | None = None
    variables: dict[str, Any] | None = None


class RetryRequest(BaseModel):
    """Optional body of the retry endpoint (DESIGNED)."""

    model_config = ConfigDict(extra="ignore")

    statuses: list[str] = Field(default=["failed"], description="Recipient statuses to re-send: any of failed, "
                                "expired, timeout.", examples=[["failed", "timeout"]])


class SendResult(BaseModel):
    """Answer of send, retry and dryRun (DESIGNED shape around the recovered `uuid`)."""

    uuid: str | None = Field(description="Send id for status and recipients; null for dryRun.")
    status: str = Field(description="pending | scheduled | dry_run")
    sender: str
    accepted: int = Field(description="Recipients accepted and charged (valid Thai mobiles, duplicates removed).")
    invalid: int = Field(description="Numbers that are not Thai mobiles: stored as status invalid, never charged.")
    duplicates: int = Field(description="Repeated numbers dropped (66… and 0… forms of one number are the same).")
    parts: int = Field(description="SMS parts per recipient.")
    encoding: str = Field(description="GSM-7 or UCS-2.")
    credits: int = Field(description="Credits charged: parts × accepted (0 for dryRun).")
    creditsRequired: int = Field(description="parts × accepted, also for dryRun.")
    scheduledTime: str | None = None
    dryRun: bool = False
    retryOf: str | None = None
    createdAt: str | None = None


class ErrorBody(BaseModel):
    error: str = Field(examples=["Insufficient credits"])
    code: str = Field(examples=["INSUFFICIENT_CREDITS"])


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the vendor's error envelope."""
    words = {400: "Invalid parameters", 401: "Missing / invalid API key", 402: "Insufficient credits",
             403: "Scope insufficient or you're not the resource owner", 404: "Resource not found",
             409: "Conflict with the resource's state (DESIGNED status for cancel codes)", 429: "Rate limit exceeded"}
    return shared_error_responses(ErrorBody, *statuses, descriptions=words)
