"""The test kit: a typed httpx client of /_mock (sync `Sandbox`, async `AsyncSandbox`), an in-process
server, and a pytest plugin (plugin.py, registered as the `mockserver` pytest11 entry point)."""

from mockserver.testing.base import RequestBin
from mockserver.testing.client import AsyncSandbox, Sandbox
from mockserver.testing.errors import NotFoundError, SandboxError, SandboxHTTPError, WaitTimeout
from mockserver.testing.models import (Account, AdvanceReport, BinRequest, ClockState, Fault, ForcedStatus, Inbound,
                                       JournaledRequest, Message, Recipient, Webhook, WebhookAttempt)
from mockserver.testing.server import InProcessServer

__all__ = [
    "Account", "AdvanceReport", "AsyncSandbox", "BinRequest", "ClockState", "Fault", "ForcedStatus", "Inbound",
    "InProcessServer", "JournaledRequest", "Message", "NotFoundError", "Recipient", "RequestBin", "Sandbox",
    "SandboxError", "SandboxHTTPError",
    "WaitTimeout", "Webhook", "WebhookAttempt",
]
