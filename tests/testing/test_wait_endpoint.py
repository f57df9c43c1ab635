"""GET /_mock/messages/wait as plain HTTP (what curl users get): the `after` cursor answers the oldest
newer match so successive waits miss nothing, the account scope, and what a 408 tells."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.testing.vendors import send


def wait(base: str, **params) -> httpx.Response:
    return httpx.get(f"{base}/_mock/messages/wait", params=params, timeout=30)


def test_after_walks_every_message_once_in_order(sms_sandbox, sms_account):
    base, creds = sms_sandbox.base_url, sms_account.credentials
    for text in ("first 111111", "second 222222", "third 333333"):
        assert send(base, "cast", creds, text).status_code == 200
    seen, after = [], 0
    for _ in range(3):
        resp = wait(base, account_id=sms_account.id, to="639171234567", after=after, timeout=2)
        assert resp.status_code == 200, resp.text
        seen.append(resp.json()["body"])
        after = resp.json()["id"]
    assert seen == ["first 111111", "second 222222", "third 333333"]
    # Without a cursor the newest match answers, as before.
    assert wait(base, account_id=sms_account.id, timeout=0).json()["body"] == "third 333333"
    assert wait(base, account_id=sms_account.id, after=after, timeout=0.2).status_code == 408


def test_wait_started_before_the_send_returns_that_send(sms_sandbox, sms_account):
    base = sms_sandbox.base_url
    cursor = sms_sandbox.scoped(account_id=sms_account.id).cursor()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(wait, base, account_id=sms_account.id, after=cursor, status="delivered", timeout=20)
        # Whether the wait is already parked or not, the cursor makes the answer the same: this message.
        sent = send(base, "cast", sms_account.credentials, "Your code is 908172")
        resp = future.result()
    assert resp.status_code == 200
    body = resp.json()
    assert (body["body"], body["otp"], body["counts"]) == ("Your code is 908172", "908172", {"delivered": 1})
    assert body["public_id"] is not None and sent.json()["message_id"]


def test_account_scope_hides_other_accounts_and_408_says_what_arrived(sms_sandbox, sms_account):
    base = sms_sandbox.base_url
    other = sms_sandbox.account("cast")
    try:
        assert send(base, "cast", other.credentials, "for the other account").status_code == 200
        assert send(base, "cast", sms_account.credentials, "mine", to="09170000001").status_code == 200
        resp = wait(base, account_id=sms_account.id, to="639171234567", after=0, timeout=0.3)
        assert resp.status_code == 408
        body = resp.json()
        assert body["waited_for"] == {"account_id": sms_account.id, "to": "639171234567", "after": 0}
        assert [(m["account_id"], m["body"]) for m in body["seen"]] == [(sms_account.id, "mine")]
        found = wait(base, account_id=other.id, to="639171234567", after=0, timeout=2)
        assert found.status_code == 200 and found.json()["account_id"] == other.id
    finally:
        sms_sandbox.delete_account(other.id)


def test_after_is_validated(sms_sandbox):
    for bad in ("-1", "x", str(2**63)):
        resp = wait(sms_sandbox.base_url, after=bad, timeout=0)
        assert resp.status_code == 422, bad
        assert resp.json()["detail"][0]["loc"] == ["query", "after"]
