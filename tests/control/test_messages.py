"""/_mock/messages: filters, cursors, latest, one message in full, OTP/link extraction, wait."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import advance
from tests.core.kit import install, runtime_of, send


def seed_messages(client) -> list:
    install(client)
    install_b = runtime_of(client)
    from mockserver.core.models import Account
    from mockserver.core.store import accounts
    with install_b.db.write() as conn:
        accounts.create(conn, Account(id="acc-2", provider="testprov", credits=100))
    return [
        send(client, "+639170000001", body="Your code is 482913", sender="BRAND"),
        send(client, ["+639170000002", "+639170999002"], body="Sale! https://shop.example/x?a=1."),
        send(client, "+639170000003", body="hello", account_id="acc-2"),
    ]


def test_list_filters(client):
    m1, m2, m3 = seed_messages(client)
    ids = lambda **p: [m["id"] for m in client.get("/_mock/messages", params=p).json()["items"]]  # noqa: E731
    assert ids() == [m3.id, m2.id, m1.id]
    assert ids(order="asc") == [m1.id, m2.id, m3.id]
    assert ids(provider="testprov", account_id="acc-2") == [m3.id]
    assert ids(to="639170999002") == [m2.id]  # any recipient, '+' optional
    assert ids(**{"from": "BRAND"}) == [m1.id]
    assert ids(text="code is") == [m1.id]
    assert ids(text="%") == []
    assert ids(public_id=m2.public_id) == [m2.id]
    assert ids(provider="nope") == []
    advance(client, 10)
    assert ids(status="undelivered") == [m2.id]
    assert ids(status="delivered,undelivered", account_id="acc-1") == [m2.id, m1.id]
    assert ids(message_status="completed") == [m3.id, m2.id, m1.id]
    now = client.get("/_mock/clock").json()["now"]
    assert ids(since=now) == []
    assert ids(until="2000-01-01T00:00:00Z") == []
    assert client.get("/_mock/messages", params={"since": "yesterday"}).status_code == 422


def test_cursor_pages_through_everything_once(client):
    install(client)
    sent = [send(client, f"+63917000{i:04d}").id for i in range(7)]
    for order, expected in (("desc", sent[::-1]), ("asc", sent)):
        seen, cursor = [], None
        while True:
            page = client.get("/_mock/messages", params={"limit": 3, "order": order, "cursor": cursor}).json()
            seen += [m["id"] for m in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected


def test_message_view_carries_codes_links_and_counts(client):
    m1, m2, _ = seed_messages(client)
    body = client.get("/_mock/messages/latest", params={"to": "+639170000001"}).json()
    assert body["id"] == m1.id
    assert (body["otp"], body["codes"], body["links"]) == ("482913", ["482913"], [])
    assert (body["from"], body["to"], body["status"], body["counts"]) == ("BRAND", "+639170000001", "queued", {"queued": 1})
    other = client.get(f"/_mock/messages/{m2.id}").json()
    assert other["links"] == ["https://shop.example/x?a=1"] and other["otp"] is None
    assert client.get("/_mock/messages/latest", params={"to": "+000"}).status_code == 404


def test_one_message_has_recipients_events_and_webhooks(client, receiver):
    install(client, dlr_url=receiver.url("/dlr"))
    msg = send(client, ["+639170000001", "+639170999001", "+639170000003"])
    advance(client, 10)
    body = client.get(f"/_mock/messages/{msg.id}", params={"recipients_limit": 2}).json()
    assert [r["status"] for r in body["recipients"]["items"]] == ["delivered", "failed"]
    rest = client.get(f"/_mock/messages/{msg.id}/recipients", params={"cursor": body["recipients"]["next_cursor"]}).json()
    assert [r["msisdn"] for r in rest["items"]] == ["+639170000003"] and rest["next_cursor"] is None
    first = [e["status"] for e in body["events"] if e["recipient_id"] == body["recipients"]["items"][0]["id"]]
    assert first == ["queued", "sent", "delivered"]
    assert [w["payload"]["status"] for w in body["webhooks"]] == ["sent", "failed", "sent", "delivered", "delivered"]
    assert all(w["attempt_log"][0]["response_status"] == 200 for w in body["webhooks"])
    failed = client.get(f"/_mock/messages/{msg.id}/recipients", params={"status": "failed"}).json()["items"]
    assert [r["msisdn"] for r in failed] == ["+639170999001"]
    assert client.get("/_mock/messages/424242").status_code == 404


def test_wait_answers_at_once_when_a_match_exists(client):
    seed_messages(client)
    # A wait that missed the stored match would wait for a new message and answer 408 at its timeout.
    resp = client.get("/_mock/messages/wait", params={"to": "+639170000003", "timeout": 5})
    assert resp.status_code == 200 and resp.json()["account_id"] == "acc-2"


def test_wait_times_out_with_408(client):
    install(client)
    started = time.monotonic()
    resp = client.get("/_mock/messages/wait", params={"to": "+639179999999", "timeout": 0.3})
    assert resp.status_code == 408
    body = resp.json()
    assert (body["detail"], body["timeout"], body["waited_for"]) == ("no matching message within 0.3 s", 0.3,
                                                                     {"to": "+639179999999"})
    assert body["seen"] == []  # nothing was sent at all
    assert time.monotonic() - started >= 0.3  # it waited its whole timeout (load can only add to it)


def wait_in_background(client, params: dict):
    """Start a long-poll in a thread and return once the sandbox is really waiting on it."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(client.get, "/_mock/messages/wait", params=params)
    registered = threading.Event()
    deadline = time.monotonic() + 5
    while not runtime_of(client)._changes.listening and time.monotonic() < deadline:
        registered.wait(0.005)
    assert runtime_of(client)._changes.listening, "the wait never started"
    pool.shutdown(wait=False)
    return future


def test_wait_returns_early_when_the_message_is_sent(client_factory):
    client = client_factory(wait_recheck=60)  # only the submit signal can wake it in time
    install(client)
    future = wait_in_background(client, {"to": "+639175550000", "timeout": 30})
    send(client, "+639175550000", body="OTP 777111")
    resp = future.result(timeout=20)  # generous, yet well before the wait's 30 s and its 60 s recheck
    assert resp.status_code == 200 and resp.json()["otp"] == "777111"


def test_wait_for_a_status_wakes_on_the_transition(client_factory):
    client = client_factory(wait_recheck=60)
    install(client)
    msg = send(client, "+639175550001")
    future = wait_in_background(client, {"to": "+639175550001", "status": "delivered", "timeout": 30})
    advance(client, 10)
    resp = future.result(timeout=10)
    assert resp.status_code == 200 and resp.json()["id"] == msg.id and resp.json()["counts"] == {"delivered": 1}


def test_background_scheduler_and_instant_timing_need_no_clock_advance(client_factory, receiver):
    client = client_factory(scheduler_enabled=True, timing="instant")
    install(client, dlr_url=receiver.url("/dlr"))
    msg = send(client, "+639175550002")
    resp = client.get("/_mock/messages/wait", params={"to": "+639175550002", "status": "delivered", "timeout": 10})
    assert resp.status_code == 200 and resp.json()["id"] == msg.id
    assert resp.json()["status"] == "completed"
    hooks = client.get("/_mock/webhooks", params={"message_id": msg.id}).json()
    assert len(hooks["items"]) == 2  # sent + delivered, queued by the background loop


def test_a_recipient_cursor_beyond_every_id_answers_an_empty_last_page(client):
    """A cursor past int4 (the id column on PostgreSQL) is a valid cursor that finds nothing, not a 500."""
    install(client)
    msg = send(client, ["+639170000001", "+639170000002"])
    for cursor in (2**31, 2**40):
        resp = client.get(f"/_mock/messages/{msg.id}/recipients", params={"cursor": cursor})
        assert resp.status_code == 200, resp.text
        assert (resp.json()["items"], resp.json()["next_cursor"]) == ([], None)
