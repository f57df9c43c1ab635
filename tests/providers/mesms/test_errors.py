"""Every failure answers {"error", "code"} with the vendor's status: bad JSON, bad fields, unknown
routes and methods, oversized bodies, senders, content, numbers, schedule and credits."""

from __future__ import annotations

from tests.providers.mesms.kit import BASE, H, LOWCREDIT, credits, error, send


def test_malformed_json(client):
    resp = client.post(f"{BASE}/sms/send", headers={**H, "content-type": "application/json"}, content=b"{nope")
    error(resp, 400, "INVALID_JSON")


def test_body_must_be_an_object(client):
    error(client.post(f"{BASE}/sms/send", headers=H, json=["66812345678"]), 400, "INVALID_PARAMETER")


def test_wrong_types(client):
    body = error(client.post(f"{BASE}/sms/send", headers=H, json={"sender": 5, "content": "x",
                                                                   "msisdns": ["66812345678"]}),
                 400, "INVALID_PARAMETER")
    assert body["error"].startswith("sender")
    error(send(client, msisdns=[66812345678]), 400, "INVALID_PARAMETER")
    error(client.post(f"{BASE}/sms/send", headers=H, json={"sender": "MeSMS", "content": "x", "msisdns": "668"}),
          400, "INVALID_PARAMETER")
    error(send(client, dryRun="maybe"), 400, "INVALID_PARAMETER")


def test_missing_sender_content_and_recipients(client):
    error(client.post(f"{BASE}/sms/send", headers=H, json={"content": "x", "msisdns": ["66812345678"]}),
          400, "INVALID_PARAMETER")
    error(client.post(f"{BASE}/sms/send", headers=H, json={"sender": "MeSMS", "msisdns": ["66812345678"]}),
          400, "MISSING_CONTENT")
    error(client.post(f"{BASE}/sms/send", headers=H, json={"sender": "MeSMS", "content": "x"}),
          400, "MISSING_RECIPIENTS")
    error(send(client, msisdns=[]), 400, "MISSING_RECIPIENTS")
    error(send(client, content="   "), 400, "MISSING_CONTENT")


def test_sender_rules(client):
    error(send(client, sender="TwelveChars!"), 400, "INVALID_SENDER")
    error(send(client, sender="Nobody"), 400, "SENDER_NOT_FOUND")
    body = error(send(client, sender="DemoShop"), 400, "SENDER_NOT_APPROVED")
    assert "pending" in body["error"]


def test_content_limit(client):
    assert send(client, content="a" * 1000).status_code == 200
    error(send(client, content="a" * 1001), 400, "CONTENT_TOO_LONG")


def test_content_and_template_together(client):
    error(send(client, templateId=102, variables={"name": "x", "order": "1"}), 400, "INVALID_PARAMETER")


def test_template_errors(client):
    base = {"sender": "MeSMS", "msisdns": ["66812345678"]}
    error(client.post(f"{BASE}/sms/send", headers=H, json={**base, "templateId": 999}), 400, "TEMPLATE_NOT_FOUND")
    error(client.post(f"{BASE}/sms/send", headers=H, json={**base, "templateId": 103, "variables": {"name": "a"}}),
          400, "TEMPLATE_NOT_APPROVED")
    body = error(client.post(f"{BASE}/sms/send", headers=H, json={**base, "templateId": 102,
                                                                   "variables": {"name": "a"}}),
                 400, "MISSING_VARIABLE")
    assert "order" in body["error"]


def test_no_valid_number_at_all(client):
    error(send(client, msisdns=["12345", "+6312345678"]), 400, "INVALID_MSISDN")


def test_unknown_contact_group(client):
    resp = client.post(f"{BASE}/sms/send", headers=H, json={"sender": "MeSMS", "content": "x", "contactGroupId": 7})
    error(resp, 400, "CONTACT_GROUP_NOT_FOUND")


def test_too_many_numbers(client_factory):
    client = client_factory(provider_settings={"mesms": {"max_msisdns": 3}})
    error(send(client, msisdns=["66812345678"] * 4), 400, "TOO_MANY_RECIPIENTS")


def test_scheduled_time_needs_iso_with_offset(client):
    error(send(client, scheduledTime="tomorrow"), 400, "INVALID_SCHEDULED_TIME")
    error(send(client, scheduledTime="2030-06-01T10:00:00"), 400, "INVALID_SCHEDULED_TIME")


def test_insufficient_credits_changes_nothing(client):
    before = credits(client, LOWCREDIT)
    body = error(send(client, msisdns=["66812345671", "66812345672", "66812345673", "66812345674"], key=LOWCREDIT),
                 402, "INSUFFICIENT_CREDITS")
    # Seed 002 line 18: 4xx/5xx bodies are "always JSON in the same shape" {error, code}: nothing invented beside
    assert body == {"error": "Insufficient credits", "code": "INSUFFICIENT_CREDITS"}
    assert credits(client, LOWCREDIT) == before
    listed = client.get(f"{BASE}/sms", headers={"x-api-key": LOWCREDIT}).json()
    assert listed["data"] == []


def test_unknown_route_and_method(client):
    error(client.get(f"{BASE}/nothing", headers=H), 404, "NOT_FOUND")
    error(client.get("/mesms/nothing"), 404, "NOT_FOUND")
    error(client.delete(f"{BASE}/credits", headers=H), 405, "METHOD_NOT_ALLOWED")


def test_oversized_body(client_factory):
    client = client_factory(max_body_bytes=1000)
    error(send(client, msisdns=["66812345678"] * 200), 413, "PAYLOAD_TOO_LARGE")


def test_bad_query_parameters(client):
    error(client.get(f"{BASE}/sms?status=lost", headers=H), 400, "INVALID_PARAMETER")
    error(client.get(f"{BASE}/sms?limit=0", headers=H), 400, "INVALID_PARAMETER")
    error(client.get(f"{BASE}/sms?cursor=abc", headers=H), 400, "INVALID_PARAMETER")


def test_huge_or_unicode_digit_cursors_and_pages_never_500(client):
    """Found by fuzzing: cursors past SQLite's INTEGER and '²' (isdigit() but not int()) were 500s."""
    from tests.providers.mesms.kit import sent
    uuid = sent(client, ["66812345678", "66812345679"])["uuid"]
    huge = 2**70
    past = client.get(f"{BASE}/sms/{uuid}/recipients?after={huge}", headers=H)
    assert past.status_code == 200, past.text
    assert (past.json()["data"], past.json()["hasMore"]) == ([], False)
    for query in ("page=2147483647&limit=260210859", "page=2147483647&status=pending"):
        page = client.get(f"{BASE}/sms/{uuid}/recipients?{query}", headers=H)
        assert page.status_code == 200, page.text
        assert page.json()["data"] == [] and page.json()["total"] == 2
    error(client.get(f"{BASE}/sms/{uuid}/recipients?page={huge}", headers=H), 400, "INVALID_PARAMETER")
    listed = client.get(f"{BASE}/sms?cursor={huge}", headers=H)
    assert listed.status_code == 200 and [m["uuid"] for m in listed.json()["data"]] == [uuid]
    error(client.get(f"{BASE}/sms?cursor=%C2%B2", headers=H), 400, "INVALID_PARAMETER")
    error(client.get(f"{BASE}/sms/{uuid}/recipients?after=%C2%B2", headers=H), 400, "INVALID_PARAMETER")
