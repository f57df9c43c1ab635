"""AsyncSandbox: the same operations awaited, on the same live in-process sandbox."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mockserver.testing import AsyncSandbox, Message, WaitTimeout


async def test_async_wait_otp_and_webhook(sms_sandbox, sms_account, receiver):
    async with AsyncSandbox(sms_sandbox.base_url, account_id=sms_account.id) as sms:
        await sms.update_account(dlr_url=receiver.url("/dlr"))
        cursor = await sms.cursor()
        async with httpx.AsyncClient() as vendor:
            waiting = asyncio.ensure_future(sms.otp(to="639171234567", after=cursor, timeout=10))
            resp = await vendor.post(f"{sms.provider_url('cast')}/api/sms/send",
                                     headers={"X-API-Key": sms_account.credentials["api_key"]},
                                     json={"to": "09171234567", "message": "Code: 040404", "sender_id": "CAST"})
            assert resp.status_code == 200
            assert await waiting == "040404"
        msg = await sms.wait_for(status="delivered", after=cursor)
        assert isinstance(msg, Message) and msg.account_id == sms_account.id
        hook = await sms.wait_for_webhook(message_id=msg, kind="dlr")
        assert hook.payload in receiver.bodies("/dlr")


async def test_async_timeout_and_scoping(sms_sandbox, sms_account):
    sandbox = AsyncSandbox(sms_sandbox.base_url)
    try:
        scoped = sandbox.scoped(account_id=sms_account.id)
        assert scoped.http is sandbox.http and scoped.account_id == sms_account.id
        assert await scoped.latest() is None
        with pytest.raises(WaitTimeout) as caught:
            await scoped.wait_for(to="639170000000", timeout=0.2)
        assert caught.value.seen == [] and "nothing at all arrived in scope" in str(caught.value)
        assert (await sandbox.clock()).frozen is False
    finally:
        await sandbox.aclose()
