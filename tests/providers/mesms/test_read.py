"""Reads: list newest first with status filter and cursor, one send with drSummary, preview, credits,
senders, templates and contact groups."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.mesms.kit import BASE, H, LOWCREDIT, credits, error, sent


def test_get_one_has_dr_summary_once_complete(client):
    uuid = sent(client, ["66812345678", "66812999005", "66812999006", "bad"])["uuid"]
    msg = client.get(f"{BASE}/sms/{uuid}", headers=H).json()
    assert msg["status"] == "pending" and msg["drSummary"] is None
    assert (msg["recipients"], msg["accepted"], msg["invalid"]) == (4, 3, 1)
    advance(client, 5)
    assert client.get(f"{BASE}/sms/{uuid}", headers=H).json()["drSummary"] is None  # timeout still waiting
    advance(client, 700)
    msg = client.get(f"{BASE}/sms/{uuid}", headers=H).json()
    assert msg["status"] == "sent" and msg["completedAt"]
    assert msg["drSummary"] == {"pending": 0, "success": 1, "failed": 0, "invalid": 1, "blocked": 1,
                                "expired": 0, "timeout": 1}


def test_list_newest_first_filters_and_cursor(client):
    ok = sent(client)["uuid"]
    bad = sent(client, ["66812999001"])["uuid"]
    advance(client, 10)
    waiting = sent(client)["uuid"]
    later = sent(client, scheduledTime="2099-01-01T00:00:00+07:00")["uuid"]
    listing = client.get(f"{BASE}/sms", headers=H).json()
    assert [m["uuid"] for m in listing["data"]] == [later, waiting, bad, ok]
    assert listing["hasMore"] is False and listing["nextCursor"] is None
    by = lambda s: [m["uuid"] for m in client.get(f"{BASE}/sms?status={s}", headers=H).json()["data"]]  # noqa: E731
    assert (by("sent"), by("failed"), by("pending"), by("scheduled"), by("cancelled")) == (
        [ok], [bad], [waiting], [later], [])
    page1 = client.get(f"{BASE}/sms?limit=3", headers=H).json()
    assert page1["hasMore"] is True and len(page1["data"]) == 3
    page2 = client.get(f"{BASE}/sms?limit=3&cursor={page1['nextCursor']}", headers=H).json()
    assert [m["uuid"] for m in page2["data"]] == [ok] and page2["hasMore"] is False


def test_list_and_get_are_per_account(client):
    uuid = sent(client)["uuid"]
    assert client.get(f"{BASE}/sms", headers={"x-api-key": LOWCREDIT}).json()["data"] == []
    error(client.get(f"{BASE}/sms/{uuid}", headers={"x-api-key": LOWCREDIT}), 403, "FORBIDDEN")
    error(client.get(f"{BASE}/sms/{uuid}/recipients", headers={"x-api-key": LOWCREDIT}), 403, "FORBIDDEN")
    error(client.get(f"{BASE}/sms/unknown", headers=H), 404, "NOT_FOUND")


def test_preview_costs_without_spending(client):
    before = credits(client)
    resp = client.post(f"{BASE}/sms/preview", headers=H, json={
        "content": "ก" * 71, "msisdns": ["66812345678", "0812345678", "0898765432", "x"]})
    assert resp.json() == {"parts": 2, "encoding": "UCS-2", "characters": 71, "recipients": 2, "accepted": 2,
                           "invalid": 1, "duplicates": 1, "credits": 4, "balance": before, "sufficient": True}
    group = client.post(f"{BASE}/sms/preview", headers=H, json={"templateId": 102, "contactGroupId": 201,
                                                               "variables": {"name": "A", "order": "7"}}).json()
    assert (group["recipients"], group["credits"], group["encoding"]) == (4, 4, "GSM-7")
    low = client.post(f"{BASE}/sms/preview", headers={"x-api-key": LOWCREDIT},
                      json={"content": "x", "msisdns": ["66812345671", "66812345672", "66812345673", "66812345674"]})
    assert low.json()["sufficient"] is False
    assert credits(client) == before
    error(client.post(f"{BASE}/sms/preview", headers=H, json={"msisdns": ["66812345678"]}), 400, "MISSING_CONTENT")


def test_credits_senders_templates_groups(client):
    assert client.get(f"{BASE}/credits", headers=H).json() == {"credits": 10_000_000}
    senders = client.get(f"{BASE}/senders", headers=H).json()["data"]
    assert [(s["id"], s["name"], s["status"], s["type"]) for s in senders] == [
        (1, "MeSMS", "approved", "own"), (2, "DemoShop", "pending", "own"), (3, "SMS-INFO", "approved", "shared")]
    templates = client.get(f"{BASE}/templates", headers=H).json()["data"]
    assert [(t["id"], t["status"]) for t in templates] == [(101, "approved"), (102, "approved"), (103, "pending")]
    assert client.get(f"{BASE}/templates/102", headers=H).json()["content"] == "Hi {{name}}, order {{order}} has shipped."
    error(client.get(f"{BASE}/templates/9", headers=H), 404, "NOT_FOUND")
    groups = client.get(f"{BASE}/contact-groups", headers=H).json()["data"]
    assert [(g["id"], g["count"]) for g in groups] == [(201, 4)]
    assert len(client.get(f"{BASE}/contact-groups/201", headers=H).json()["msisdns"]) == 4
    error(client.get(f"{BASE}/contact-groups/9", headers=H), 404, "NOT_FOUND")
    error(client.get(f"{BASE}/contact-groups/abc", headers=H), 400, "INVALID_PARAMETER")
