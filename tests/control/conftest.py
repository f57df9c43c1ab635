"""A registered stand-in provider for control tests that need PROVIDERS (accounts, reset)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from mockserver.core.models import Account, ApiKey
from mockserver.core.notify import OutgoingWebhook
from mockserver.core.store import accounts
from mockserver.providers import PROVIDERS
from mockserver.providers.base import Provider


def make_credentials(runtime, account: Account) -> dict:
    key = f"test_{runtime.ids.hex(16)}"
    with runtime.db.write() as conn:
        accounts.add_key(conn, ApiKey(provider=account.provider, key=key, account_id=account.id,
                                      created_at=runtime.clock.now()))
    return {"api_key": key}


def callback_check(runtime, account: Account, url: str) -> OutgoingWebhook | None:
    return OutgoingWebhook(url=url, body="{}", kind="verify") if "check" in url else None


@pytest.fixture
def testprov(monkeypatch) -> Provider:
    provider = Provider(name="testprov", title="Test provider", vendor_base_url="https://api.test", auth="key",
                        build_app=lambda runtime: FastAPI(), make_credentials=make_credentials,
                        callback_check=callback_check)
    monkeypatch.setitem(PROVIDERS, "testprov", provider)
    return provider
