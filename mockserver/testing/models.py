"""Typed results of the test kit's client: the control API's own answer models (mockserver.control.schemas),
re-exported, so the kit and the server cannot drift apart. Lenient on purpose (extra fields are kept, not
refused, and fields have defaults), so a newer server never breaks an older kit."""

from __future__ import annotations

from mockserver.control.schemas import (Account, AdvanceReport, ApiKey, BinRequest, ChangedRecipient, ClockState, Event,
                                        Fault, ForcedStatus, Inbound, JournaledRequest, JournaledResponse, Message,
                                        Page, Recipient, Webhook, WebhookAttempt)

__all__ = ["Account", "AdvanceReport", "ApiKey", "BinRequest", "ChangedRecipient", "ClockState", "Event", "Fault",
           "ForcedStatus", "Inbound", "JournaledRequest", "JournaledResponse", "Message", "Page", "Recipient",
           "Webhook", "WebhookAttempt"]
