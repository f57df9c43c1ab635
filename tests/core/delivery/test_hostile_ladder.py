"""Protocol surprises through the dispatcher (both backends): each is a recorded failed attempt that
follows the retry ladder, and the next webhook to the same receiver gets its own answer."""

from __future__ import annotations

from tests.conftest import advance
from tests.core.delivery.test_client import raw  # noqa: F401  (the raw socket receiver fixture)
from tests.core.delivery.test_dispatcher import hooks
from tests.core.kit import install, send

GARBAGE = b"SMTP ready\r\n\r\n"
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
SMUGGLED = b"HTTP/1.1 500 Smuggled\r\nContent-Length: 0\r\n\r\n"


def _walk(client, steps: int = 12) -> list[dict]:
    client.app.state.runtime.clock.freeze()
    send(client, "+639170000001")  # a 'sent' DLR, then 'delivered' behind it (one ordering key)
    for _ in range(steps):
        advance(client, 1)
    return hooks(client)


def test_garbage_answers_are_logged_failures_on_the_ladder_and_the_next_dlr_still_arrives(client_factory, raw):
    r = raw(GARBAGE, GARBAGE, GARBAGE)
    client = client_factory(webhook_max_attempts=3, webhook_backoff_base=1)
    install(client, dlr_url=r.url("/dlr"))
    sent, delivered = _walk(client)
    assert (sent["status"], sent["attempts"]) == ("failed", 3)
    assert all(a["response_status"] is None and "bad answer head" in a["error"] for a in sent["attempt_log"])
    assert (delivered["status"], [a["response_status"] for a in delivered["attempt_log"]]) == ("delivered", [200])


def test_bytes_after_an_answer_are_never_the_next_webhooks_answer(client_factory, raw):
    r = raw(OK + SMUGGLED, OK + SMUGGLED)
    client = client_factory(webhook_max_attempts=3, webhook_backoff_base=1)
    install(client, dlr_url=r.url("/dlr"))
    sent, delivered = _walk(client)
    assert [a["response_status"] for a in sent["attempt_log"]] == [200]
    assert [a["response_status"] for a in delivered["attempt_log"]] == [200]
    assert len(r.requests) == 2 and r.accepted == 2
