"""GET /api/v2/sms/{uuid}/recipients: `after` cursor pages (nextCursor + hasMore), page + total without
it, status filter, summary[] from the counters; and a 100,000-number send consistent end to end."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.mesms.kit import BASE, H, error, sent

NUMBERS = [f"66812{n:06d}" for n in range(250)]


def pages(client, uuid, limit=100):
    out, cursor = [], 0
    while True:
        body = client.get(f"{BASE}/sms/{uuid}/recipients?after={cursor}&limit={limit}", headers=H).json()
        out.append(body)
        if not body["hasMore"]:
            return out
        cursor = body["nextCursor"]


def test_after_cursor_walks_every_recipient_once(client):
    uuid = sent(client, NUMBERS + ["bad1", "bad2"])["uuid"]
    walked = pages(client, uuid)
    assert [len(p["data"]) for p in walked] == [100, 100, 52]
    rows = [r for p in walked for r in p["data"]]
    assert [r["cursor"] for r in rows] == list(range(1, 253))
    assert [r["msisdn"] for r in rows] == NUMBERS + ["bad1", "bad2"]
    assert all("total" not in p for p in walked) and walked[-1]["nextCursor"] == 252
    assert walked[0]["summary"] == [{"status": "pending", "count": 250}, {"status": "success", "count": 0},
                                    {"status": "failed", "count": 0}, {"status": "invalid", "count": 2},
                                    {"status": "blocked", "count": 0}, {"status": "expired", "count": 0},
                                    {"status": "timeout", "count": 0}]
    past_end = client.get(f"{BASE}/sms/{uuid}/recipients?after=252", headers=H).json()
    assert past_end["data"] == [] and past_end["hasMore"] is False and past_end["nextCursor"] == 252


def test_status_filter_and_page_mode(client):
    uuid = sent(client, ["66812345678", "66812999001", "66812999005", "66812345679", "x"])["uuid"]
    advance(client, 10)
    failed = client.get(f"{BASE}/sms/{uuid}/recipients?after=0&status=failed", headers=H).json()
    assert [(r["msisdn"], r["status"]) for r in failed["data"]] == [("66812999001", "failed")]
    success = client.get(f"{BASE}/sms/{uuid}/recipients?status=success", headers=H).json()
    assert success["total"] == 2 and success["page"] == 1 and "hasMore" not in success
    assert [r["msisdn"] for r in success["data"]] == ["66812345678", "66812345679"]
    assert success["data"][0]["sentAt"] and success["data"][0]["doneAt"]
    second = client.get(f"{BASE}/sms/{uuid}/recipients?limit=2&page=2", headers=H).json()
    assert [r["cursor"] for r in second["data"]] == [3, 4] and second["total"] == 5
    filtered_p2 = client.get(f"{BASE}/sms/{uuid}/recipients?status=success&limit=1&page=2", headers=H).json()
    assert [r["msisdn"] for r in filtered_p2["data"]] == ["66812345679"]


def test_bad_recipient_queries(client):
    uuid = sent(client)["uuid"]
    error(client.get(f"{BASE}/sms/{uuid}/recipients?status=delivered", headers=H), 400, "INVALID_PARAMETER")
    error(client.get(f"{BASE}/sms/{uuid}/recipients?after=-1", headers=H), 400, "INVALID_PARAMETER")
    error(client.get(f"{BASE}/sms/{uuid}/recipients?limit=0", headers=H), 400, "INVALID_PARAMETER")
    error(client.get(f"{BASE}/sms/nope/recipients", headers=H), 404, "NOT_FOUND")


def test_large_send_is_consistent_end_to_end(client_factory):
    client = client_factory(rate_limit_enabled=False)
    n = 100_000
    numbers = [f"669{i:08d}" for i in range(n - 3)] + ["66812999001", "66812999005", "not-a-number"]
    body = sent(client, numbers + numbers[:10])
    assert (body["accepted"], body["invalid"], body["duplicates"], body["credits"]) == (n - 1, 1, 10, n - 1)
    uuid = body["uuid"]
    advance(client, 10)
    msg = client.get(f"{BASE}/sms/{uuid}", headers=H).json()
    assert msg["status"] == "sent"
    assert msg["drSummary"] == {"pending": 0, "success": n - 3, "failed": 1, "invalid": 1, "blocked": 1,
                                "expired": 0, "timeout": 0}
    walked = pages(client, uuid, limit=1000)
    rows = [r for p in walked for r in p["data"]]
    assert len(rows) == n and rows[-1]["cursor"] == n and len(walked) == 100
    assert [p["nextCursor"] for p in walked] == [1000 * (i + 1) for i in range(100)]
    seen = {}
    for r in rows:
        seen[r["status"]] = seen.get(r["status"], 0) + 1
    summary = {s["status"]: s["count"] for s in walked[-1]["summary"] if s["count"]}
    assert seen == summary == {"success": n - 3, "failed": 1, "invalid": 1, "blocked": 1}
    deep = client.get(f"{BASE}/sms/{uuid}/recipients?after={n - 50}", headers=H).json()
    assert [r["cursor"] for r in deep["data"]] == list(range(n - 49, n + 1)) and deep["hasMore"] is False
    failed = client.get(f"{BASE}/sms/{uuid}/recipients?after=0&status=failed", headers=H).json()
    assert [r["msisdn"] for r in failed["data"]] == ["66812999001"]
    assert client.get(f"{BASE}/credits", headers=H).json()["credits"] == 10_000_000 - (n - 1) + 1  # failed refunded
