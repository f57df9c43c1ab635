"""Webhook delivery against a real local receiver: order, payloads, retries with backoff, final
4xx, timeouts, every attempt logged, per-key ordering, restarts, probes."""

from __future__ import annotations

import socket

import httpx
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.core.notify import OutgoingWebhook
from mockserver.core.store import webhooks as outbox
from tests.conftest import advance, make_settings
from tests.receivers import Receiver
from tests.core.kit import TestShaper, install, runtime_of, send
from mockserver.core.db.sql import run_once
from sqlalchemy import text


def dead_url(path: str = "/hook") -> str:
    """A URL nobody listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def hooks(client, **params) -> list[dict]:
    return client.get("/_mock/webhooks", params={"order": "asc", "attempts": True, "limit": 500, **params}).json()["items"]


def test_dlrs_arrive_in_order_with_their_payloads(client, receiver):
    install(client, dlr_url=receiver.url("/dlr"))
    msg = send(client, ["+639170000001", "+639170999002"], public_id="m-1")
    advance(client, 10)
    got = [(b["to"], b["status"]) for b in receiver.bodies("/dlr")]
    for number, final in (("+639170000001", "delivered"), ("+639170999002", "undelivered")):
        assert [s for to, s in got if to == number] == ["sent", final]
    first = receiver.requests[0]
    assert first["headers"]["X-Test-Signature"] == "sig"
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["body"]["message"] == "m-1"
    assert all(h["status"] == "delivered" and h["message_id"] == msg.id for h in hooks(client))


def test_500_twice_then_200_is_three_logged_attempts(client, receiver):
    install(client, dlr_url=receiver.url("/dlr"))
    receiver.script = [500, 500]
    rt = runtime_of(client)
    rt.clock.freeze()
    send(client, "+639170000001", notify=True)
    advance(client, 0)  # nothing due yet: queue_delay is 1 s
    advance(client, 1)  # 'sent' DLR: attempt 1 -> 500
    [hook] = hooks(client)
    assert (hook["status"], hook["attempts"]) == ("pending", 1)
    advance(client, 1.9)  # backoff base 2 s: not yet
    assert hooks(client)[0]["attempts"] == 1
    advance(client, 0.1)  # attempt 2 -> 500, next in 4 s
    assert hooks(client)[0]["attempts"] == 2
    advance(client, 4)  # attempt 3 -> 200; the 'delivered' DLR (due at +4 s) was held behind it
    hook = hooks(client)[0]
    assert (hook["status"], hook["attempts"]) == ("delivered", 3)
    log = hook["attempt_log"]
    assert [a["response_status"] for a in log] == [500, 500, 200]
    assert all(a["url"] == receiver.url("/dlr") and a["request_body"] == hook["body"] for a in log)
    assert all(a["request_headers"]["X-Test-Signature"] == "sig" and a["latency_ms"] > 0 for a in log)
    assert log[0]["response_excerpt"] == "{}"
    assert [b["status"] for b in receiver.bodies("/dlr")] == ["sent", "sent", "sent", "delivered"]


def test_other_4xx_is_final_and_429_is_retried(client, receiver):
    install(client, dlr_url=receiver.url("/dlr"))
    client.app.state.runtime.clock.freeze()
    receiver.script = [404, 429]
    send(client, "+639170000001")
    advance(client, 1)  # the 'sent' DLR
    first = hooks(client)[0]
    assert (first["status"], first["attempts"], first["last_status_code"]) == ("failed", 1, 404)
    # a failed row does not hold back the rest of its key forever: the next DLR goes out
    advance(client, 10)  # attempt 1 -> 429, retry in 2 s
    advance(client, 2)
    second = hooks(client)[1]
    assert [a["response_status"] for a in second["attempt_log"]] == [429, 200]


def test_attempts_are_capped_by_max_attempts(client_factory):
    client = client_factory(webhook_max_attempts=3, webhook_backoff_base=1)
    install(client, dlr_url=dead_url())
    client.app.state.runtime.clock.freeze()
    send(client, "+639170000001")
    for _ in range(12):
        advance(client, 1)
    first = hooks(client)[0]
    assert (first["status"], first["attempts"]) == ("failed", 3)
    assert all(a["response_status"] is None and a["error"] for a in first["attempt_log"])


def test_timeouts_are_logged_and_retried(tmp_path):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow receiver", request=request)
        return httpx.Response(202, text="ok")

    app = create_app(make_settings(tmp_path, clock_frozen=True), transport=httpx.MockTransport(handler))
    with TestClient(app) as client:
        install(client, dlr_url="http://receiver.test/dlr")
        send(client, "+639170000001")
        advance(client, 1)
        advance(client, 2)
        log = hooks(client)[0]["attempt_log"]
        assert [a["response_status"] for a in log] == [None, 202]
        assert log[0]["error"].startswith("timeout")


def test_a_failing_key_holds_back_only_its_own_rows(client, receiver):
    rt = runtime_of(client)
    rt.clock.freeze()
    now = rt.clock.now()
    with rt.db.write() as conn:
        rt.enqueue_webhooks(conn, "testprov", "a", None, [
            OutgoingWebhook(url=dead_url(), body='{"n":1}', ordering_key="k1"),
            OutgoingWebhook(url=receiver.url("/k1"), body='{"n":2}', ordering_key="k1"),
            OutgoingWebhook(url=receiver.url("/k2"), body='{"n":3}', ordering_key="k2"),
            OutgoingWebhook(url=receiver.url("/none"), body='{"n":4}'),
        ], now)
    advance(client, 0)
    assert sorted(b["n"] for b in receiver.bodies()) == [3, 4]
    assert outbox.due_batch(rt.db.conn(), rt.clock.now()) == []  # n=2 waits behind n=1's retry


def test_undelivered_webhooks_survive_a_restart(tmp_path):
    settings = make_settings(tmp_path)
    url = dead_url("/dlr")
    first = TestClient(create_app(settings))
    with first:
        install(first, dlr_url=url)
        send(first, "+639170000001")
        advance(first, 10)
        # 'sent' (due at 1 s) failed at 1, 3 and 7 s and waits for its retry at 15 s; 'delivered' waits
        # behind it (same recipient)
        assert [(h["status"], h["attempts"]) for h in hooks(first)] == [("pending", 3), ("pending", 0)]
    back = Receiver(port=httpx.URL(url).port)  # the receiver comes back, at the same address
    try:
        with TestClient(create_app(settings)) as second:
            second.app.state.runtime.register_shaper("testprov", TestShaper())
            advance(second, 60)
            assert [b["status"] for b in back.bodies()] == ["sent", "delivered"]
            assert [(h["status"], h["attempts"]) for h in hooks(second)] == [("delivered", 4), ("delivered", 1)]
    finally:
        back.close()


def test_probe_posts_once_without_queueing(client, receiver):
    rt = runtime_of(client)
    receiver.script = [403]
    result = client.portal.call(rt.dispatcher.probe, OutgoingWebhook(url=receiver.url("/check"), body="{}"))
    assert (result.status, result.ok) == (403, False)
    result = client.portal.call(rt.dispatcher.probe, OutgoingWebhook(url=dead_url(), body="{}"))
    assert result.status is None and result.error
    assert receiver.bodies("/check") == [{}]
    assert hooks(client) == []


def test_redeliver_sends_again_with_a_fresh_budget(client, receiver):
    install(client, mo_url=receiver.url("/mo"))
    resp = client.post("/_mock/inbound", json={"provider": "testprov", "account_id": "acc-1", "from": "+639171111111",
                                               "to": "TEST", "body": "hi"})
    [hook] = resp.json()["webhooks"]
    again = client.post(f"/_mock/webhooks/{hook['id']}/redeliver").json()
    assert again["attempts"] == 2 and again["status"] == "delivered"
    assert len(receiver.bodies("/mo")) == 2
    assert client.post("/_mock/webhooks/999999/redeliver").status_code == 404


def test_many_redeliveries_to_a_failing_url_keep_the_backoff_bounded(client, receiver):
    """Found by fuzzing: every redelivery raised the backoff exponent, until next_attempt_at passed year
    9999 and every read of the webhook was a 500."""
    install(client, mo_url=receiver.url("/mo"))
    receiver.default = 500
    resp = client.post("/_mock/inbound", json={"provider": "testprov", "account_id": "acc-1", "from": "+639171111111",
                                               "to": "TEST", "body": "hi"})
    [hook] = resp.json()["webhooks"]
    for _ in range(40):
        again = client.post(f"/_mock/webhooks/{hook['id']}/redeliver")
        assert again.status_code == 200, again.text
    body = client.get(f"/_mock/webhooks/{hook['id']}").json()
    assert body["attempts"] == 41 and body["status"] == "pending"
    now = client.get("/_mock/clock").json()["now"]
    wait = run_once(runtime_of(client).db.conn(), text("SELECT next_attempt_at FROM webhook WHERE id = :id"),
                    {"id": hook["id"]}).fetchone()[0] - now
    assert 0 < wait <= 3600
