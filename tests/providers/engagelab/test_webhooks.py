"""Callbacks to a real local receiver: the {} URL check, the message-status sequence, failures, custom_args,
billing, uplink and template-audit rows, and the X-CALLBACK-ID signature checked with an independent HMAC."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mockserver.providers.engagelab import messages
from tests.conftest import advance
from tests.providers.engagelab.kit import (
    ACCOUNT,
    AUTH,
    BASE,
    CALLBACK_SECRET,
    CALLBACK_USERNAME,
    balance,
    rows,
    send,
    set_callback,
    tpl,
)


@pytest.fixture
def hooked(client, receiver):
    assert set_callback(client, receiver.url()).status_code == 200
    return client


def statuses_by_message(found: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in found:
        out.setdefault(row["message_id"], []).append(row["status"]["message_status"])
    return out


def test_callback_url_check_posts_empty_object(client, receiver):
    assert set_callback(client, receiver.url("/check")).status_code == 200
    assert receiver.bodies("/check") == [{}]
    receiver.script = [500]
    resp = set_callback(client, receiver.url("/down"))
    assert resp.status_code == 400 and "callback URL check failed" in resp.text
    assert client.get(f"/_mock/accounts/{ACCOUNT}").json()["dlr_url"] == receiver.url("/check")


def test_delivered_sequence_with_exact_rows(hooked, receiver):
    now = int(hooked.get("/_mock/clock").json()["now"])
    body = send(hooked, {**tpl(1233, to=["923700056581"], content="hello"), "custom_args": {"order_id": "A1"}}).json()
    advance(hooked, 0)
    assert [r["status"]["message_status"] for r in rows(receiver)] == ["plan", "target_valid"]
    advance(hooked, 1)
    advance(hooked, 3)
    found = rows(receiver)
    assert [r["status"]["message_status"] for r in found] == ["plan", "target_valid", "sent", "delivered"]
    status_data = {"msg_time": now, "message_id": body["message_id"], "current_send_channel": "sms",
                   "template_key": "1233", "business_id": ACCOUNT}
    assert found[2] == {
        "message_id": body["message_id"], "to": "+923700056581", "server": "sms", "channel": "sms",
        "itime": now + 1, "custom_args": {"order_id": "A1"},
        "status": {"message_status": "sent", "status_data": status_data,
                   "billing": {"cost": 0.005, "currency": "USD"}, "error_code": 0}}
    assert found[3]["itime"] == now + 4 and "billing" not in found[3]["status"]
    assert found[0]["itime"] == found[1]["itime"] == now
    assert all(r["custom_args"] == {"order_id": "A1"} for r in found)
    envelopes = [b for b in receiver.bodies("/hook") if b != {}]
    assert [e["total"] for e in envelopes] == [2, 1, 1]


@pytest.mark.parametrize("number, words, code, detail", [
    ("+639170999001", ["plan", "target_valid", "sent_failed"], 4002, "Submission to the carrier failed"),
    ("+639170999004", ["plan", "target_valid", "sent_failed"], 4001, "Invalid phone number"),
    ("+639170999002", ["plan", "target_valid", "sent", "delivered_failed"], 4003, "Handset unreachable"),
    ("+639170999003", ["plan", "target_valid", "sent", "delivered_failed"], 4004, "Validity period expired before delivery"),
    ("+639170999005", ["plan", "target_valid", "sent", "delivered_failed"], 4005,
     "Blocked by the carrier or the user opted out"),
    ("12345", ["plan", "target_invalid"], 4001, "Invalid phone number"),
])
def test_failure_sequences(hooked, receiver, number, words, code, detail):
    send(hooked, tpl("notification-template", to=number, order="1"))
    advance(hooked, 1)
    advance(hooked, 3)
    found = rows(receiver)
    assert [r["status"]["message_status"] for r in found] == words
    assert found[-1]["status"]["error_code"] == code
    assert found[-1]["status"]["error_detail"] == {"message": detail}
    assert "custom_args" not in found[-1]
    assert all("error_detail" not in r["status"] for r in found[:-1])


def test_timeout_reports_delivered_failed_after_the_receipt_window(hooked, receiver):
    send(hooked, tpl("notification-template", to="+639170999006", order="1"))
    advance(hooked, 1)
    assert [r["status"]["message_status"] for r in rows(receiver)][-1] == "sent"
    advance(hooked, 600)
    assert rows(receiver)[-1]["status"]["error_code"] == 4006


def test_rows_of_each_target_arrive_in_order(hooked, receiver):
    targets = ["+8618701235678", "+639171234567", "+639170999002", "bad"]
    send(hooked, tpl("notification-template", to=targets, order="1"))
    advance(hooked, 1)
    advance(hooked, 3)
    by_message = statuses_by_message(rows(receiver))
    assert len(by_message) == 4
    assert sorted(by_message.values()) == sorted([
        ["plan", "target_valid", "sent", "delivered"], ["plan", "target_valid", "sent", "delivered"],
        ["plan", "target_valid", "sent", "delivered_failed"], ["plan", "target_invalid"]])


def test_retried_callback_holds_back_the_rows_behind_it(hooked, receiver):
    receiver.script = [500]
    send(hooked, tpl("notification-template", order="1"))
    advance(hooked, 1)  # the plan row fails once (retry in 2 s); the due sent row waits behind it
    assert [r["status"]["message_status"] for r in rows(receiver)] == ["plan", "target_valid"]
    advance(hooked, 5)
    assert [r["status"]["message_status"] for r in rows(receiver)] == [
        "plan", "target_valid", "plan", "target_valid", "sent", "delivered"]


def test_scheduled_plan_reports_acceptance_now_and_sending_later(hooked, receiver):
    now = int(hooked.get("/_mock/clock").json()["now"])
    send(hooked, {**tpl("notification-template", order="1"), "schedule_time": now + 120})
    advance(hooked, 60)
    assert [r["status"]["message_status"] for r in rows(receiver)] == ["plan", "target_valid"]
    advance(hooked, 61)
    advance(hooked, 3)
    assert [r["status"]["message_status"] for r in rows(receiver)][2:] == ["sent", "delivered"]


def test_billing_cost_is_parts_times_price(client_factory, receiver):
    client = client_factory(provider_settings={"engagelab": {"price_per_part": 0.01}})
    set_callback(client, receiver.url())
    send(client, tpl(1233, content="你好" * 40))  # UCS-2, 80 units: 2 parts
    advance(client, 1)
    sent = [r for r in rows(receiver) if r["status"]["message_status"] == "sent"]
    assert sent[0]["status"]["billing"] == {"cost": 0.02, "currency": "USD"}


def test_signature_verifies_with_independent_hmac(hooked, receiver):
    send(hooked, tpl("notification-template", order="1"))
    advance(hooked, 1)
    requests = [r for r in receiver.requests if r["path"] == "/hook"]
    assert len(requests) == 3  # the {} check, plan+target_valid, sent
    for request in requests:
        header = request["headers"]["X-CALLBACK-ID"]
        parts = dict(item.split("=", 1) for item in header.split(";"))
        assert list(parts) == ["timestamp", "nonce", "username", "signature"]
        assert parts["username"] == CALLBACK_USERNAME and parts["timestamp"].isdigit() and parts["nonce"].isdigit()
        expected = hmac.new(CALLBACK_SECRET.encode(), (parts["timestamp"] + parts["nonce"] + CALLBACK_USERNAME).encode(),
                            hashlib.sha256).hexdigest()
        assert hmac.compare_digest(parts["signature"], expected)
    nonces = {r["headers"]["X-CALLBACK-ID"].split(";")[1] for r in requests}
    assert len(nonces) == len(requests)


def test_unsigned_without_credentials_and_authorization_passed_through(client, receiver):
    client.patch(f"/_mock/accounts/{ACCOUNT}", json={"extra": {
        "callback_username": None, "callback_secret": None, "callback_authorization": "Bearer receiver-token"}})
    set_callback(client, receiver.url())
    send(client, tpl("notification-template", order="1"))
    advance(client, 0)
    for request in receiver.requests:
        assert "X-CALLBACK-ID" not in request["headers"]
        assert request["headers"]["Authorization"] == "Bearer receiver-token"


def test_no_callback_url_means_no_callbacks(client, receiver):
    send(client, tpl("notification-template", order="1"))
    advance(client, 5)
    hooks = client.get("/_mock/webhooks", params={"provider": "engagelab"})
    assert hooks.status_code == 200 and hooks.json()["items"] == []
    assert receiver.requests == []


def test_uplink_message_row(hooked, receiver):
    resp = hooked.post("/_mock/inbound", json={"provider": "engagelab", "account_id": ACCOUNT,
                                               "from": "+8618701235678", "to": "EngageLab", "body": "STOP"})
    assert resp.status_code == 201, resp.text
    inbound = resp.json()
    now = int(hooked.get("/_mock/clock").json()["now"])
    assert rows(receiver) == [{"server": "sms", "itime": now, "message_id": "0", "business_id": "0", "response": {
        "event": "uplink_message", "response_data": {
            "message_sid": inbound["public_id"], "account_sid": ACCOUNT, "from": "+8618701235678",
            "to": "EngageLab", "body": "STOP"}}}]


def test_template_audit_result_rows(hooked, receiver):
    ok = hooked.post(f"{BASE}/v1/template-configs", headers=AUTH, json={
        "template_name": "fine", "template_type": "utility", "template_content": "Hi {{a}}", "country_codes": "CN"})
    bad = hooked.post(f"{BASE}/v1/template-configs", headers=AUTH, json={
        "template_name": "bad", "template_type": "marketing", "template_content": "casino night", "country_codes": "CN"})
    hooked.post(f"{BASE}/v1/sign-configs", headers=AUTH, json={"sign_name": "New Brand"})
    advance(hooked, 30)
    found = rows(receiver)
    now = int(hooked.get("/_mock/clock").json()["now"])
    assert len(found) == 2  # signature reviews have no documented callback
    by_template = {r["notification"]["notification_data"]["template_id"]: r for r in found}
    assert by_template[ok.json()["template_id"]] == {"server": "sms", "itime": now, "notification": {
        "event": "template_audit_result", "notification_data": {
            "business_id": ACCOUNT, "template_id": ok.json()["template_id"], "status": 2, "reason": ""}}}
    rejected = by_template[bad.json()["template_id"]]["notification"]["notification_data"]
    assert rejected["status"] == 3 and "casino" in rejected["reason"]


@pytest.mark.parametrize("targets", [1, messages.GROUPED_TARGETS, messages.GROUPED_TARGETS + 1])
def test_a_plan_of_any_size_is_stored_with_its_accept_callbacks(hooked, receiver, monkeypatch, targets):
    """A small plan is stored on the event loop in a group commit, a bigger one in a worker thread: both
    store the plan, charge it and queue its accept-time callbacks (plan and target_valid, for each target)."""
    taken = []
    for name in ("send", "send_grouped"):
        real = getattr(messages, name)
        monkeypatch.setattr(messages, name, lambda *a, _real=real, _name=name: (taken.append(_name), _real(*a))[1])
    before = balance(hooked)
    to = [f"+63917{n:07d}" for n in range(targets)]
    resp = send(hooked, tpl("notification-template", to=to, order="1"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["accepted_count"] == targets and balance(hooked) == before - targets
    assert taken == ["send_grouped" if targets <= messages.GROUPED_TARGETS else "send"]
    advance(hooked, 0)
    words = [r["status"]["message_status"] for r in rows(receiver)]
    assert words.count("plan") == words.count("target_valid") == targets

