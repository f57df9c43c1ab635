"""X-CALLBACK-ID is signed at each attempt with wall-clock time, so EngageLab's own SDK verifier
(engagelab-otp, 300 s window) accepts callbacks sent after a 2-hour clock advance, retries included;
payload times (itime) stay sandbox time."""

from __future__ import annotations

import time

from engagelab_otp import WebhookVerifier

from tests.conftest import advance
from tests.providers.engagelab.kit import CALLBACK_SECRET, CALLBACK_USERNAME, rows, send, set_callback, tpl

TWO_HOURS = 2 * 3600


def callbacks(receiver) -> list[dict]:
    return [r for r in receiver.requests if r["path"] == "/hook" and isinstance(r["body"], dict) and "rows" in r["body"]]


def test_status_callback_after_a_two_hour_advance_verifies_with_the_vendor_sdk(client, receiver):
    verifier = WebhookVerifier(CALLBACK_USERNAME, CALLBACK_SECRET)
    assert set_callback(client, receiver.url()).status_code == 200
    send(client, {**tpl("notification-template", order="1"), "schedule_time": int(time.time()) + TWO_HOURS})
    before = len(callbacks(receiver))
    advance(client, TWO_HOURS + 10)  # the scheduled plan goes out, then sent and delivered
    late = callbacks(receiver)[before:]
    words = [row["status"]["message_status"] for r in late for row in r["body"]["rows"]]
    assert "delivered" in words
    for request in late:
        assert verifier.verify(request["headers"]["X-CALLBACK-ID"]) is True
        # itime stays sandbox time: sent/delivered two hours ahead of the wall clock the signature used
        assert all(row["itime"] >= time.time() + TWO_HOURS - 60 for row in request["body"]["rows"]
                   if row["status"]["message_status"] in ("sent", "delivered"))


def test_a_retried_callback_is_signed_again_when_it_is_resent(client, receiver):
    verifier = WebhookVerifier(CALLBACK_USERNAME, CALLBACK_SECRET)
    assert set_callback(client, receiver.url()).status_code == 200
    send(client, tpl("notification-template", order="1"))
    advance(client, 0)  # plan + target_valid
    receiver.script = [500]
    advance(client, 1)  # 'sent' -> 500, queued for a retry
    advance(client, TWO_HOURS)  # the retry, two hours after the callback was queued; then 'delivered'
    sent = [r for r in callbacks(receiver) if r["body"]["rows"][0]["status"]["message_status"] == "sent"]
    assert len(sent) == 2 and sent[0]["body"] == sent[1]["body"]
    headers = [r["headers"]["X-CALLBACK-ID"] for r in sent]
    assert headers[0] != headers[1]  # a fresh timestamp and nonce for the retry
    assert all(verifier.verify(h) for h in headers)
    assert len({r["headers"]["X-Mock-Delivery-Id"] for r in sent}) == 1
    assert rows(receiver)[-1]["status"]["message_status"] == "delivered"
