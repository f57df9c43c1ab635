"""A tiny provider-neutral test provider ("testprov"): a WebhookShaper writing plain JSON, plus
helpers to create its accounts and messages through core.sending, so lifecycle and control tests
never depend on a real provider package."""

from __future__ import annotations

import json

from mockserver.core.models import Account, Inbound
from mockserver.core.notify import OutgoingWebhook, Review, StatusChange
from mockserver.core.sending import Submission, submit
from mockserver.core.store import accounts

PROVIDER = "testprov"


class TestShaper:
    """One DLR per status change to the message's callback URL (else the account's dlr_url)."""

    __test__ = False  # not a pytest class

    def status_webhooks(self, change: StatusChange) -> list[OutgoingWebhook]:
        url = change.message.callback_url or change.account.dlr_url
        if not url:
            return []
        body = {"message": change.message.public_id, "to": change.msisdn, "status": change.status, "at": change.at}
        return [OutgoingWebhook(url=url, body=json.dumps(body), headers={"X-Test-Signature": "sig"},
                                ordering_key=f"{PROVIDER}:{change.recipient_id}")]

    def inbound_webhooks(self, inbound: Inbound, account: Account) -> list[OutgoingWebhook]:
        if not account.mo_url:
            return []
        body = {"from": inbound.sender, "to": inbound.recipient, "text": inbound.body, "id": inbound.public_id}
        return [OutgoingWebhook(url=account.mo_url, body=json.dumps(body), kind="mo")]

    def review_webhooks(self, review: Review, account: Account) -> list[OutgoingWebhook]:
        return []


def runtime_of(client):
    return client.app.state.runtime


def install(client, account_id: str = "acc-1", credits: int = 1000, dlr_url: str | None = None,
            mo_url: str | None = None) -> Account:
    """Register the test shaper on the client's runtime and create one funded account."""
    rt = runtime_of(client)
    rt.register_shaper(PROVIDER, TestShaper())
    acc = Account(id=account_id, provider=PROVIDER, name="test", credits=credits, dlr_url=dlr_url, mo_url=mo_url,
                  created_at=rt.clock.now())
    with rt.db.write() as conn:
        accounts.create(conn, acc)
    return acc


def send(client, to, body: str = "hello", account_id: str = "acc-1", notify: bool = True, **extra):
    """Submit a message through core.sending (what a provider route does); returns the Message."""
    rt = runtime_of(client)
    numbers = [to] if isinstance(to, str) else list(to)
    public_id = extra.pop("public_id", None) or f"m-{rt.ids.hex(8)}"
    sub = Submission(provider=PROVIDER, account_id=account_id, public_id=public_id, body=body,
                     numbers=numbers, notify=notify, **extra)
    return submit(rt, sub).message


def balance(client, account_id: str = "acc-1") -> int:
    return accounts.balance(runtime_of(client).db.conn(), account_id)
