"""Plain JSON views of core rows for the control API (and the inbox, which reads them as dicts).
Timestamps are ISO-8601 UTC with milliseconds; JSON text columns come back parsed. Their shapes are
declared once, in schemas.py: the routes' response models, which the test kit parses with."""

from __future__ import annotations

import json
from typing import Any, Sequence

from fastapi import Response
from pydantic import TypeAdapter

from mockserver.core.clock import iso_ms
from mockserver.core.extract import extract
from mockserver.core.fault_shaping import public_meta
from mockserver.core.models import Account, ApiKey, Event, Inbound, Message, Recipient, Webhook, WebhookAttempt


def _json(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


_AS_BUILT = TypeAdapter(Any)


def listing(content: dict | list) -> Response:
    """A long list answered as built, in the bytes FastAPI gave it before the contract. Its route's
    response_model documents it and tests/control/test_contract.py holds real answers to it; validating
    up to 500 items per request against the models instead costs 3-6x the dump itself, 5-14 % of the whole
    GET (bench/control_contract.py), and building model instances in the views costs the same."""
    return Response(_AS_BUILT.dump_json(content), media_type="application/json")


def page(items: Sequence[dict], limit: int, key: str = "id") -> dict:
    """A keyset page: `next_cursor` is the last item's id when the page is full."""
    return {"items": list(items), "next_cursor": str(items[-1][key]) if len(items) == limit and items else None}


def message(msg: Message, counts: dict[str, int], to: str | None) -> dict:
    found = extract(msg.body)
    return {
        "id": msg.id, "public_id": msg.public_id, "provider": msg.provider, "account_id": msg.account_id,
        "channel": msg.channel, "from": msg.sender, "to": to, "body": msg.body, "encoding": msg.encoding,
        "parts": msg.parts, "credits": msg.credits, "status": msg.status, "recipient_count": msg.recipient_count,
        "counts": counts, "otp": found.otp, "codes": found.codes, "links": found.links,
        "scheduled_at": iso_ms(msg.scheduled_at), "created_at": iso_ms(msg.created_at),
        "updated_at": iso_ms(msg.updated_at), "completed_at": iso_ms(msg.completed_at),
        "next_due_at": iso_ms(msg.next_due_at), "callback_url": msg.callback_url, "notify": bool(msg.notify),
        "sandbox": bool(msg.sandbox), "meta": public_meta(_json(msg.meta, {})),
    }


def recipient(rec: Recipient) -> dict:
    return {
        "id": rec.id, "msisdn": rec.msisdn, "public_id": rec.public_id, "status": rec.status,
        "outcome": rec.outcome, "next_at": iso_ms(rec.next_at), "updated_at": iso_ms(rec.updated_at),
        "sent_at": iso_ms(rec.sent_at), "done_at": iso_ms(rec.done_at),
    }


def event(ev: Event) -> dict:
    return {"id": ev.id, "recipient_id": ev.recipient_id, "status": ev.status, "at": iso_ms(ev.at),
            "detail": ev.detail}


def webhook(hook: Webhook, attempts: Sequence[WebhookAttempt] | None = None) -> dict:
    out = {
        "id": hook.id, "provider": hook.provider, "account_id": hook.account_id, "message_id": hook.message_id,
        "kind": hook.kind, "ordering_key": hook.ordering_key, "url": hook.url, "headers": _json(hook.headers, {}),
        "body": hook.body, "payload": _json(hook.body, None), "status": hook.status, "attempts": hook.attempts,
        "max_attempts": hook.max_attempts, "next_attempt_at": iso_ms(hook.next_attempt_at),
        "last_status_code": hook.last_status_code, "last_error": hook.last_error,
        "created_at": iso_ms(hook.created_at), "updated_at": iso_ms(hook.updated_at),
        "delivery_id": hook.delivery_id,  # the X-Mock-Delivery-Id header of every attempt
    }
    if attempts is not None:
        out["attempt_log"] = [attempt(a) for a in attempts]
    return out


def attempt(a: WebhookAttempt) -> dict:
    return {
        "attempt": a.attempt, "sent_at": iso_ms(a.sent_at), "at": iso_ms(a.at), "url": a.url, "request_headers": _json(a.request_headers, {}),
        "request_body": a.request_body, "response_status": a.response_status,
        "response_excerpt": a.response_excerpt, "latency_ms": a.latency_ms, "error": a.error,
    }


def api_key(key: ApiKey) -> dict:
    return {
        "key": key.key, "secret": key.secret, "scopes": _json(key.scopes, []), "status": key.status,
        "expires_at": iso_ms(key.expires_at), "ip_allowlist": _json(key.ip_allowlist, []),
        "sandbox": bool(key.sandbox),
    }


def account(acc: Account, keys: Sequence[ApiKey] = ()) -> dict:
    return {
        "id": acc.id, "provider": acc.provider, "name": acc.name, "email": acc.email, "credits": acc.credits,
        "currency": acc.currency, "billing_type": acc.billing_type,
        "allowed_channels": _json(acc.allowed_channels, []), "is_active": bool(acc.is_active),
        "dlr_url": acc.dlr_url, "mo_url": acc.mo_url, "extra": _json(acc.extra, {}),
        "created_at": iso_ms(acc.created_at), "keys": [api_key(k) for k in keys],
    }


def inbound(msg: Inbound) -> dict:
    found = extract(msg.body)
    return {
        "id": msg.id, "public_id": msg.public_id, "provider": msg.provider, "account_id": msg.account_id,
        "from": msg.sender, "to": msg.recipient, "body": msg.body, "received_at": iso_ms(msg.received_at),
        "otp": found.otp, "codes": found.codes, "links": found.links, "meta": public_meta(_json(msg.meta, {})),
    }
