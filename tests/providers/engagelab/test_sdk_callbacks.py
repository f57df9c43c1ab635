"""Every kind of EngageLab callback checked with the vendor's own PyPI package `engagelab-otp`: its
WebhookVerifier (X-CALLBACK-ID, 300 s tolerance on the receiver's wall clock) and its event parser. Also the
URL check rules of the vendor's callback page: 200 within 3 s, Authorization sent on the probe."""

from __future__ import annotations

import pytest
from engagelab_otp import MessageStatusEvent, NotificationEvent, UplinkEvent, WebhookSignatureError, WebhookVerifier

from tests.conftest import advance
from tests.providers.engagelab.kit import ACCOUNT, AUTH, BASE, CALLBACK_SECRET, CALLBACK_USERNAME, send, set_callback, tpl

HOURS = 2 * 3600


@pytest.fixture
def verifier() -> WebhookVerifier:
    return WebhookVerifier(CALLBACK_USERNAME, CALLBACK_SECRET)


def verified_events(receiver, verifier: WebhookVerifier, path: str = "/hook") -> list:
    """Every request to `path` passes the vendor's verifier (wall clock); their parsed events, in order."""
    events = []
    for request in [r for r in receiver.requests if r["path"] == path]:
        verifier.verify(request["headers"]["X-CALLBACK-ID"])  # raises WebhookSignatureError on failure
        events.extend(verifier.parse_events(request["raw"]))
    return events


def test_url_check_probe_verifies_and_parses_to_no_events(client, receiver, verifier):
    assert set_callback(client, receiver.url("/check")).status_code == 200
    [probe] = receiver.requests
    assert probe["raw"] == b"{}" and verifier.verify(probe["headers"]["X-CALLBACK-ID"]) is True
    assert verifier.parse_events(probe["raw"]) == []


def test_a_wrong_secret_is_refused_by_the_verifier(client, receiver):
    set_callback(client, receiver.url())
    with pytest.raises(WebhookSignatureError, match="signature mismatch"):
        WebhookVerifier(CALLBACK_USERNAME, "another-secret").verify(receiver.requests[0]["headers"]["X-CALLBACK-ID"])


def _status_flow(client, receiver, verifier, before: float = 0) -> None:
    set_callback(client, receiver.url())
    if before:
        advance(client, before)
    body = send(client, {**tpl("notification-template", to=["923700056581"], order="7"),
                         "custom_args": {"order_id": "A1"}}).json()
    advance(client, 1)
    advance(client, 3)
    events = verified_events(receiver, verifier)
    assert all(isinstance(e, MessageStatusEvent) for e in events)
    assert [e.status for e in events] == ["plan", "target_valid", "sent", "delivered"]
    assert [e.is_terminal for e in events] == [False, False, False, True]
    sent = events[2]
    assert (sent.message_id, sent.to, sent.server, sent.channel) == (body["message_id"], "+923700056581", "sms", "sms")
    assert sent.custom_args == {"order_id": "A1"} and sent.template_key == "notification-template"
    assert sent.business_id == ACCOUNT and sent.billing == {"cost": 0.005, "currency": "USD"}
    assert sent.error_code == 0 and sent.error_message is None
    now = int(client.get("/_mock/clock").json()["now"])
    assert events[-1].timestamp == now  # payload times stay sandbox time


def test_status_rows_verify_and_parse(client, receiver, verifier):
    _status_flow(client, receiver, verifier)


def test_status_rows_verify_after_advancing_the_clock_by_hours(client, receiver, verifier):
    _status_flow(client, receiver, verifier, before=HOURS)


def test_failed_row_parses_with_error_code_and_message(client, receiver, verifier):
    set_callback(client, receiver.url())
    send(client, tpl("notification-template", to="+639170999002", order="1"))
    advance(client, 1)
    advance(client, 3)
    last = verified_events(receiver, verifier)[-1]
    assert (last.status, last.is_terminal, last.error_code, last.error_message) == (
        "delivered_failed", True, 4003, "Handset unreachable")


def _uplink(client, receiver, verifier, before: float = 0) -> None:
    set_callback(client, receiver.url())
    advance(client, before)
    resp = client.post("/_mock/inbound", json={"provider": "engagelab", "account_id": ACCOUNT,
                                               "from": "+8618701235678", "to": "EngageLab", "body": "STOP"})
    assert resp.status_code == 201, resp.text
    [event] = verified_events(receiver, verifier)
    assert isinstance(event, UplinkEvent) and event.event == "uplink_message"
    assert (event.message_id, event.business_id) == ("0", "0")
    assert event.data == {"message_sid": resp.json()["public_id"], "account_sid": ACCOUNT,
                          "from": "+8618701235678", "to": "EngageLab", "body": "STOP"}


def test_uplink_verifies_and_parses(client, receiver, verifier):
    _uplink(client, receiver, verifier)


def test_uplink_verifies_after_advancing_the_clock_by_hours(client, receiver, verifier):
    _uplink(client, receiver, verifier, before=HOURS)


def _audit(client, receiver, verifier, before: float = 0) -> None:
    set_callback(client, receiver.url())
    advance(client, before)
    created = client.post(f"{BASE}/v1/template-configs", headers=AUTH, json={
        "template_name": "fine", "template_type": "utility", "template_content": "Hi {{a}}", "country_codes": "CN"})
    assert created.status_code == 200, created.text
    advance(client, 30)
    [event] = verified_events(receiver, verifier)
    assert isinstance(event, NotificationEvent) and event.event == "template_audit_result"
    assert event.data == {"business_id": ACCOUNT, "template_id": created.json()["template_id"], "status": 2,
                          "reason": ""}


def test_template_audit_verifies_and_parses(client, receiver, verifier):
    _audit(client, receiver, verifier)


def test_template_audit_verifies_after_advancing_the_clock_by_hours(client, receiver, verifier):
    _audit(client, receiver, verifier, before=HOURS)


def test_url_check_verifies_after_advancing_the_clock_by_hours(client, receiver, verifier):
    advance(client, HOURS)
    assert set_callback(client, receiver.url("/check")).status_code == 200
    verifier.verify(receiver.requests[0]["headers"]["X-CALLBACK-ID"])


def _retry(client, receiver, verifier, before: float = 0) -> None:
    set_callback(client, receiver.url())
    advance(client, before)
    receiver.script = [500]  # the first callback fails; its retry is signed again
    send(client, tpl("notification-template", order="1"))
    advance(client, 1)
    advance(client, 5)
    statuses = [e.status for e in verified_events(receiver, verifier)]
    assert statuses == ["plan", "target_valid", "plan", "target_valid", "sent", "delivered"]


def test_retry_after_a_receiver_failure_verifies(client, receiver, verifier):
    _retry(client, receiver, verifier)


def test_retry_verifies_after_advancing_the_clock_by_hours(client, receiver, verifier):
    _retry(client, receiver, verifier, before=HOURS)
