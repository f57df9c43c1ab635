"""Cancel a scheduled send (refund; NOT_SCHEDULED 400, ALREADY_CANCELLED / ALREADY_PROCESSING 409) and
retry a finished send's failed recipients as a new send."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.mesms.kit import BASE, H, LOWCREDIT, READONLY, credits, error, sent

LATER = "2099-01-01T10:00:00+07:00"


def cancel(client, uuid, key=H):
    return client.post(f"{BASE}/sms/{uuid}/cancel", headers=key)


def test_cancel_scheduled_refunds_held_credits(client):
    before = credits(client)
    body = sent(client, ["66812345678", "66812345679", "bad"], scheduledTime=LATER, content="ก" * 80)
    assert credits(client) == before - 4
    resp = cancel(client, body["uuid"])
    assert resp.status_code == 200
    assert resp.json() == {"uuid": body["uuid"], "status": "cancelled", "refundedCredits": 4, "credits": before}
    assert credits(client) == before
    msg = client.get(f"{BASE}/sms/{body['uuid']}", headers=H).json()
    assert msg["status"] == "cancelled" and msg["credits"] == 0
    assert msg["drSummary"] == {"pending": 0, "success": 0, "failed": 2, "invalid": 1, "blocked": 0, "expired": 0,
                                "timeout": 0}  # only the seven documented words
    listed = client.get(f"{BASE}/sms?status=cancelled", headers=H).json()["data"]
    assert [m["uuid"] for m in listed] == [body["uuid"]]


def test_cancel_twice_is_409_already_cancelled(client):
    uuid = sent(client, scheduledTime=LATER)["uuid"]
    assert cancel(client, uuid).status_code == 200
    error(cancel(client, uuid), 409, "ALREADY_CANCELLED")


def test_cancel_unscheduled_is_400_not_scheduled(client):
    error(cancel(client, sent(client)["uuid"]), 400, "NOT_SCHEDULED")


def test_cancel_after_start_is_409_already_processing(client):
    uuid = sent(client, scheduledTime="2020-01-01T00:00:00+07:00")["uuid"]
    error(cancel(client, uuid), 409, "ALREADY_PROCESSING")
    advance(client, 10)
    error(cancel(client, uuid), 409, "ALREADY_PROCESSING")


def test_cancel_any_valid_key_unknown_and_foreign_uuid(client):
    uuid = sent(client, scheduledTime=LATER)["uuid"]
    error(cancel(client, "no-such-uuid"), 404, "NOT_FOUND")
    body = error(cancel(client, uuid, {"x-api-key": LOWCREDIT}), 403, "FORBIDDEN")
    assert "not the resource owner" in body["error"]
    assert cancel(client, uuid, {"x-api-key": READONLY}).status_code == 200


def test_foreign_uuid_can_be_404(client_factory):
    client = client_factory(provider_settings={"mesms": {"foreign_resource_status": 404}})
    uuid = sent(client)["uuid"]
    error(client.get(f"{BASE}/sms/{uuid}", headers={"x-api-key": LOWCREDIT}), 404, "NOT_FOUND")


def test_retry_resends_failed_recipients_as_a_new_send(client):
    first = sent(client, ["66812999001", "66812999002", "66812999003", "66812345678"])
    error(client.post(f"{BASE}/sms/{first['uuid']}/retry", headers=H), 409, "NOT_FINISHED")
    advance(client, 700)
    summary = client.get(f"{BASE}/sms/{first['uuid']}", headers=H).json()["drSummary"]
    assert (summary["failed"], summary["expired"], summary["success"]) == (2, 1, 1)
    before = credits(client)
    resp = client.post(f"{BASE}/sms/{first['uuid']}/retry", headers=H)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["retryOf"] == first["uuid"] and body["uuid"] != first["uuid"]
    assert (body["accepted"], body["credits"]) == (2, 2) and credits(client) == before - 2
    numbers = [r["msisdn"] for r in client.get(f"{BASE}/sms/{body['uuid']}/recipients?after=0",
                                                headers=H).json()["data"]]
    assert numbers == ["66812999001", "66812999002"]
    wider = client.post(f"{BASE}/sms/{first['uuid']}/retry", headers=H, json={"statuses": ["failed", "expired"]})
    assert wider.json()["accepted"] == 3


def test_retry_errors(client):
    uuid = sent(client)["uuid"]
    advance(client, 10)
    error(client.post(f"{BASE}/sms/{uuid}/retry", headers=H), 400, "NOTHING_TO_RETRY")
    error(client.post(f"{BASE}/sms/{uuid}/retry", headers=H, json={"statuses": ["success"]}), 400,
          "INVALID_PARAMETER")
    error(client.post(f"{BASE}/sms/nope/retry", headers=H), 404, "NOT_FOUND")


def test_retry_without_credits_is_402(client):
    key = {"x-api-key": LOWCREDIT}
    resp = client.post(f"{BASE}/sms/send", headers=key, json={
        "sender": "MeSMS", "content": "ก" * 80, "msisdns": ["66812999001"]})
    assert resp.status_code == 200, resp.text
    advance(client, 10)  # failed: the 2 credits come back, then spend them elsewhere
    assert credits(client, LOWCREDIT) == 3
    client.post(f"{BASE}/sms/send", headers=key, json={"sender": "MeSMS", "content": "ก" * 80,
                                                       "msisdns": ["66812345678"]})
    error(client.post(f"{BASE}/sms/{resp.json()['uuid']}/retry", headers=key), 402, "INSUFFICIENT_CREDITS")



@pytest.mark.parametrize("strict, expected", [(False, 200), (True, 403)])
def test_retry_needs_only_a_valid_key_as_the_vendor_says_unless_configured(client_factory, strict, expected):
    """Seed: '/send requires sms:send or *. Other endpoints in this doc only require any valid API key.'"""
    client = client_factory(provider_settings={"mesms": {"retry_needs_send_scope": strict}})
    uuid = client.post(f"{BASE}/sms/send", headers=H,
                       json={"sender": "MeSMS", "content": "hi", "msisdns": ["0812999001"]}).json()["uuid"]
    advance(client, 10)
    resp = client.post(f"{BASE}/sms/{uuid}/retry", headers={"x-api-key": READONLY})
    assert resp.status_code == expected, resp.text


RECIPIENT_WORDS = {"pending", "success", "failed", "invalid", "blocked", "expired", "timeout"}


def test_recipients_of_a_cancelled_send_are_failed_with_a_reason(client):
    uuid = sent(client, ["66812345678", "66812345679", "bad"], scheduledTime=LATER)["uuid"]
    assert cancel(client, uuid).status_code == 200
    page = client.get(f"{BASE}/sms/{uuid}/recipients", headers=H, params={"status": "failed", "after": 0})
    assert page.status_code == 200, page.text
    assert [(r["status"], r["reason"]) for r in page.json()["data"]] == [("failed", "cancelled")] * 2
    everyone = client.get(f"{BASE}/sms/{uuid}/recipients", headers=H).json()
    assert {r["status"] for r in everyone["data"]} <= RECIPIENT_WORDS
    assert {s["status"] for s in everyone["summary"]} == RECIPIENT_WORDS
    assert [r.get("reason") for r in everyone["data"]] == ["cancelled", "cancelled", None]
    refused = client.get(f"{BASE}/sms/{uuid}/recipients", headers=H, params={"status": "cancelled"})
    error(refused, 400, "INVALID_PARAMETER")
