"""POST /api/v2/sms/send: counts, invalid numbers and duplicates, parts and credits, templates,
contact groups, shared senders, scheduling and dryRun."""

from __future__ import annotations

from tests.providers.mesms.kit import BASE, H, credits, send, sent


def test_send_answers_uuid_counts_parts_and_credits(client):
    before = credits(client)
    body = sent(client, ["66812345678", "0898765432"])
    assert body["uuid"] and body["status"] == "pending"
    assert {k: body[k] for k in ("accepted", "invalid", "duplicates", "parts", "credits", "encoding", "dryRun")} == {
        "accepted": 2, "invalid": 0, "duplicates": 0, "parts": 1, "credits": 2, "encoding": "GSM-7", "dryRun": False}
    assert credits(client) == before - 2


def test_invalid_numbers_are_counted_per_recipient_and_never_charged(client):
    before = credits(client)
    body = sent(client, ["66812345678", "12345", "6621234567", "+66898765432", "0712345678", "abc"])
    assert (body["accepted"], body["invalid"]) == (2, 4)
    assert body["credits"] == 2 and credits(client) == before - 2
    page = client.get(f"{BASE}/sms/{body['uuid']}/recipients?after=0", headers=H).json()
    assert [(r["msisdn"], r["status"]) for r in page["data"]] == [
        ("66812345678", "pending"), ("66898765432", "pending"), ("12345", "invalid"), ("6621234567", "invalid"),
        ("0712345678", "invalid"), ("abc", "invalid")]


def test_duplicates_across_forms_are_removed(client):
    body = sent(client, ["66812345678", "0812345678", "+66812345678", "66812345678", "bad", "bad"])
    assert (body["accepted"], body["invalid"], body["duplicates"]) == (1, 1, 4)
    assert body["credits"] == 1


def test_thai_is_ucs2_70_then_67(client):
    assert sent(client, content="ก" * 70)["parts"] == 1
    body = sent(client, ["66812345678", "66812345679"], content="ก" * 71)
    assert (body["encoding"], body["parts"], body["credits"]) == ("UCS-2", 2, 4)
    assert sent(client, content="ก" * 134)["parts"] == 2
    assert sent(client, content="ก" * 135)["parts"] == 3


def test_gsm_is_160_then_153(client):
    assert sent(client, content="a" * 160)["parts"] == 1
    assert sent(client, content="a" * 161)["parts"] == 2
    assert sent(client, content="a" * 307)["parts"] == 3


def test_non_gsm_character_makes_ucs2(client):
    body = sent(client, content="Price: 100฿")
    assert body["encoding"] == "UCS-2"


def test_flat_70_option(client_factory):
    client = client_factory(provider_settings={"mesms": {"ucs2_flat": True}})
    assert sent(client, content="ก" * 140)["parts"] == 2
    assert sent(client, content="ก" * 141)["parts"] == 3


def test_template_with_variables(client):
    body = client.post(f"{BASE}/sms/send", headers=H, json={
        "sender": "MeSMS", "templateId": 101, "variables": {"name": "Toon"}, "msisdns": ["66812345678"]}).json()
    msg = client.get(f"{BASE}/sms/{body['uuid']}", headers=H).json()
    assert msg["content"] == "สวัสดีคุณ Toon ยินดีต้อนรับสู่ Demo Shop"
    assert msg["templateId"] == 101 and msg["encoding"] == "UCS-2"


def test_contact_group_and_msisdns_together(client):
    body = client.post(f"{BASE}/sms/send", headers=H, json={
        "sender": "MeSMS", "content": "hi", "contactGroupId": 201, "msisdns": ["66812345678", "66800000001"]}).json()
    assert (body["accepted"], body["duplicates"]) == (5, 1)  # 66812345678 is in the group too


def test_shared_sender_can_send(client):
    assert sent(client, sender="SMS-INFO")["sender"] == "SMS-INFO"


def test_dry_run_prices_without_storing_or_charging(client):
    before = credits(client)
    body = sent(client, ["66812345678", "0898765432", "x"], dryRun=True, content="ก" * 100)
    assert body["uuid"] is None and body["status"] == "dry_run" and body["dryRun"] is True
    assert (body["accepted"], body["invalid"], body["parts"], body["credits"], body["creditsRequired"]) == (
        2, 1, 2, 0, 4)
    assert credits(client) == before
    assert client.get(f"{BASE}/sms", headers=H).json()["data"] == []


def test_scheduled_send_waits_for_its_time(client):
    now = client.get("/_mock/clock").json()["now"]
    from datetime import datetime, timedelta, timezone
    at = datetime.fromtimestamp(now + 3600, timezone(timedelta(hours=7))).isoformat(timespec="seconds")
    body = sent(client, scheduledTime=at)
    assert body["status"] == "scheduled" and body["scheduledTime"] == at
    uuid = body["uuid"]
    client.post("/_mock/clock/advance", json={"seconds": 1800})
    assert client.get(f"{BASE}/sms/{uuid}", headers=H).json()["status"] == "scheduled"
    client.post("/_mock/clock/advance", json={"seconds": 1805})
    msg = client.get(f"{BASE}/sms/{uuid}", headers=H).json()
    assert msg["status"] == "sent" and msg["drSummary"]["success"] == 1


def test_past_scheduled_time_sends_now(client):
    body = sent(client, scheduledTime="2020-01-01T00:00:00+07:00")
    assert body["status"] == "pending"
