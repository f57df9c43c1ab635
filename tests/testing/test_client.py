"""The sync client against a live in-process sandbox: typed waits per provider, cursors, OTPs, the
clock, forced statuses and webhooks received by a real local HTTP server, and useful failures."""

from __future__ import annotations

import time

import pytest

from mockserver.testing import Message, NotFoundError, WaitTimeout, Webhook
from tests.testing.vendors import send
from tests.vendors import VENDORS

PROVIDERS = list(VENDORS)


@pytest.mark.parametrize("sms_account", PROVIDERS, indirect=True)
def test_each_provider_send_is_seen_scoped_and_typed(sms_sandbox, sms_account, sms):
    provider = sms_account.provider
    assert send(sms_sandbox.base_url, provider, sms_account.credentials, "Your code is 051234").status_code == 200
    msg = sms.wait_for(to=VENDORS[provider].msisdn, status="delivered", timeout=5)
    assert isinstance(msg, Message)
    assert (msg.provider, msg.account_id, msg.counts, msg.otp) == (provider, sms_account.id, {"delivered": 1}, "051234")
    assert sms.otp(to=VENDORS[provider].msisdn) == "051234"  # a string: the leading zero survives
    assert [m.id for m in sms.messages()] == [msg.id]


def test_otp_skips_messages_without_a_code_and_never_rereads_one(sms_sandbox, sms_account, sms):
    cursor = sms.cursor()
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "Welcome aboard!")
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "Your code is 001122")
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "Your code is 334455")
    first = sms.wait_for(to="639171234567", after=cursor)
    assert first.body == "Welcome aboard!" and first.otp is None
    assert sms.otp(to="639171234567", after=cursor) == "001122"
    second = sms.wait_for(text="001122")
    assert sms.otp(to="639171234567", after=second) == "334455"  # a Message works as the cursor
    with pytest.raises(WaitTimeout):
        sms.otp(to="639171234567", after=sms.cursor(), timeout=0.2)


def test_timeout_says_what_it_waited_for_and_what_it_saw(sms_sandbox, sms_account, sms):
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "Your code is 777777", to="09179990000")
    started = time.monotonic()
    with pytest.raises(WaitTimeout) as caught:
        sms.wait_for(to="639171234567", text="code", timeout=0.4)
    assert time.monotonic() - started >= 0.4  # it waited its whole timeout (load can only add to it)
    err = caught.value
    assert err.waited_for == {"account_id": sms_account.id, "provider": "cast", "to": "639171234567", "text": "code"}
    assert [m.to for m in err.seen] == ["639179990000"]
    text = str(err)
    assert "no message matching" in text and "within 0.4 s" in text
    assert "to 639179990000" in text and "'Your code is 777777'" in text


def test_queries_are_scoped_to_the_account(sms_sandbox, sms_account, sms):
    other = sms_sandbox.account("cast")
    try:
        send(sms_sandbox.base_url, "cast", other.credentials, "not yours")
        assert sms.latest() is None and sms.messages() == [] and sms.cursor() == 0
        send(sms_sandbox.base_url, "cast", sms_account.credentials, "yours", to="09170000001")
        send(sms_sandbox.base_url, "cast", sms_account.credentials, "yours too", to="09170000002")
        assert [m.body for m in sms.messages()] == ["yours too", "yours"]
        assert [m.body for m in sms.messages(order="asc", limit=1)] == ["yours"]
        assert sms.latest(to="+639170000001").body == "yours"
        assert [m.body for m in sms.messages(account_id=other.id)] == ["not yours"]  # explicit beats scope
    finally:
        sms_sandbox.delete_account(other.id)


def test_message_in_full_and_not_found(sms_sandbox, sms_account, sms):
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "full view")
    full = sms.message(sms.wait_for(status="delivered"))
    assert full.recipients["items"][0]["status"] == "delivered"
    assert [e["status"] for e in full.events][-1] == "delivered"
    with pytest.raises(NotFoundError) as caught:
        sms.message(987654321)
    assert caught.value.status == 404 and "/_mock/messages/987654321" in str(caught.value)


def test_clock_freeze_advance_resume(sms_frozen_clock):
    sandbox = sms_frozen_clock
    before = sandbox.clock()
    assert before.frozen and sandbox.clock().now == before.now  # frozen: time does not move
    assert sandbox.advance(90).now == pytest.approx(before.now + 90)
    assert sandbox.resume().frozen is False
    assert sandbox.freeze().frozen is True  # the fixture resumes it after the test


@pytest.mark.sms_frozen
def test_the_marker_freezes_for_one_test(sms_sandbox):
    assert sms_sandbox.clock().frozen


def test_the_clock_runs_again_after_a_frozen_test(sms_sandbox):
    assert sms_sandbox.clock().frozen is False


def test_forced_status_fires_a_dlr_the_receiver_gets(sms_sandbox, sms_account, sms, receiver):
    assert sms.update_account(dlr_url=receiver.url("/dlr")).dlr_url == receiver.url("/dlr")
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "stuck", to="09170999007")  # magic: stays queued
    msg = sms.wait_for(to="639170999007")
    forced = sms.force_status(msg, "undelivered")
    assert forced.message.counts == {"undelivered": 1} and forced.webhooks >= 1
    hook = sms.wait_for_webhook(message_id=msg, kind="dlr")
    assert isinstance(hook, Webhook) and hook.status == "delivered"
    assert hook.attempt_log[0].response_status == 200
    assert hook.payload in receiver.bodies("/dlr")
    assert [h.id for h in sms.webhooks(message_id=msg.id) if h.id == hook.id] == [hook.id]


def test_wait_for_webhook_times_out_listing_the_failing_ones(sms_sandbox, sms_account, sms, receiver):
    receiver.default = 500
    sms.update_account(dlr_url=receiver.url("/dlr"))
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "to a broken receiver")
    failing = sms.wait_for_webhook(status=None)  # any state: it exists
    with pytest.raises(WaitTimeout) as caught:
        sms.wait_for_webhook(kind="dlr", after=failing.id - 1, timeout=0.5)
    assert "no webhook matching" in str(caught.value)
    assert "[pending" in str(caught.value) or "[failed" in str(caught.value)
    assert all(h.account_id == sms_account.id for h in caught.value.seen)


def test_inbound_reaches_the_mo_url(sms_account, sms, receiver):
    sms.update_account(mo_url=receiver.url("/mo"))
    inbound = sms.inject_inbound(from_="+639171234567", to="CAST", body="STOP")
    assert (inbound.account_id, inbound.body) == (sms_account.id, "STOP")
    assert [h.status for h in inbound.webhooks] == ["delivered"]
    assert sms.wait_for_webhook(kind="mo").url == receiver.url("/mo")
    assert len(receiver.bodies("/mo")) == 1


@pytest.mark.parametrize("provider, keys", [(v.name, set(v.credentials)) for v in VENDORS.values()])
def test_account_returns_vendor_credentials(sms_sandbox, provider, keys):
    account = sms_sandbox.account(provider, credits=5)
    try:
        assert account.provider == provider and account.credits == 5
        assert keys <= set(account.credentials)
    finally:
        sms_sandbox.delete_account(account.id)
    with pytest.raises(NotFoundError):
        sms_sandbox.delete_account(account.id)


def test_request_bin_waits_only_for_requests_after_the_handle_was_made(sms):
    """A bin name reused across runs: an earlier run's request is never handed back (issue 25)."""
    import httpx

    earlier = sms.bin("kit-test-reused")
    assert httpx.post(earlier.url, json={"run": 1}).status_code < 300
    assert earlier.wait_for_request(timeout=5).parsed == {"run": 1}
    again = sms.bin("kit-test-reused")  # the next run of the same test
    assert httpx.post(again.url, json={"run": 2}).status_code < 300
    got = again.wait_for_request(timeout=5)
    assert got.method == "POST" and got.parsed == {"run": 2}


def test_the_sms_bin_fixture_is_this_tests_own(sms_bin, sms_sandbox):
    import httpx

    assert sms_bin.name.startswith("test_the_sms_bin_fixture_is_this_tests_o-") and len(sms_bin.name) <= 64
    assert sms_bin.requests() == []
    httpx.post(sms_bin.url, content=b"plain text")
    got = sms_bin.wait_for_request(timeout=5)
    assert got.body == "plain text" and got.parsed is None


def test_reset_of_one_account_leaves_the_others_alone(sms_sandbox, sms_account, sms):
    other = sms_sandbox.account("cast")
    send(sms_sandbox.base_url, "cast", other.credentials, "theirs")
    send(sms_sandbox.base_url, "cast", sms_account.credentials, "mine")
    assert sms.wait_for(text="mine").account_id == sms_account.id
    assert sms_sandbox.reset(account_id=other.id) == {"reset": True, "provider": None, "account_id": other.id}
    with pytest.raises(NotFoundError):
        sms_sandbox.get_account(other.id)
    assert sms.messages(account_id=other.id) == []
    assert [m.body for m in sms.messages()] == ["mine"] and sms.get_account().id == sms_account.id


def test_request_bin_client_follows_the_documented_api():
    """The bins API is another issue's: its client side against the documented contract (newest first,
    `after` cursor), including a server that ignores `after` (the client filters then)."""
    import httpx

    recorded = [{"id": 3, "method": "POST", "path": "/x", "body": {"n": 3}},
                {"id": 2, "method": "PUT", "path": "/x", "body": {"n": 2}},
                {"id": 1, "method": "GET", "path": "/x", "body": None}]
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append((request.url.path, dict(request.url.params)))
        return httpx.Response(200, json={"items": recorded})  # ignores `after` on purpose

    from mockserver.testing import Sandbox
    sandbox = Sandbox("http://sandbox:8000", http=httpx.Client(base_url="http://sandbox:8000",
                                                                transport=httpx.MockTransport(handler)))
    hooks = sandbox.bin("hooks")
    assert hooks.url == "http://sandbox:8000/_mock/bins/hooks"
    assert asked.pop(0) == ("/_mock/bins/hooks/requests", {"limit": "1"}) and hooks.since == 3  # the mark
    assert [r.id for r in hooks.requests()] == [3, 2, 1]
    assert hooks.wait_for_request(after=1).id == 2  # the oldest newer one: nothing skipped
    hooks.since = None  # an unmarked handle (AsyncSandbox before `await bin.mark()`) sees any request
    assert hooks.wait_for_request().id == 1
    assert asked[0] == ("/_mock/bins/hooks/requests", {"limit": "50"})
    assert asked[1] == ("/_mock/bins/hooks/requests", {"after": "1", "limit": "500"})
    with pytest.raises(WaitTimeout) as caught:
        hooks.wait_for_request(after=3, timeout=0.1)
    assert caught.value.waited_for == {"bin": "hooks", "after": 3}
