"""Every row of the seed's error table through HTTP, the vendor-shaped 404/405/413, and "refused means
nothing stored"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from mockserver.providers.engagelab import messages
from tests.conftest import advance
from tests.providers.engagelab.kit import (AUTH, BASE, CONFIG_KEY, DISABLED_KEY, EXPIRED_KEY, balance, basic, plan_count,
                                          send, set_callback, tpl)

OK = tpl("notification-template", order="1")


def error(resp, status: int, code: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert list(body) == ["plan_id", "total_count", "accepted_count", "message", "code"]
    assert body["code"] == code and body["accepted_count"] == 0
    assert isinstance(body["plan_id"], str) and body["plan_id"].isdigit()
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_1000_internal_error(client, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    async def crash_on_the_loop(*args, **kwargs):
        crash()
    monkeypatch.setattr(messages, "send", crash)  # a big plan's path (a worker thread)
    monkeypatch.setattr(messages, "send_grouped", crash_on_the_loop)  # a small plan's (this one)
    body = error(send(client, OK), 500, 1000)
    assert body["message"] == "Internal Error"


def test_2001_2002_2004(client):
    error(send(client, OK, headers=basic(secret="wrong")), 401, 2001)
    error(send(client, OK, headers=basic(DISABLED_KEY)), 401, 2002)
    error(send(client, OK, headers=basic(EXPIRED_KEY)), 401, 2002)
    error(send(client, OK, headers=basic(CONFIG_KEY)), 403, 2004)


@pytest.mark.parametrize("raw", [b"{not json", b"", b"   ", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_3001_body_is_not_a_json_object(client, raw):
    resp = client.post(f"{BASE}/v1/messages", content=raw, headers={**AUTH, "Content-Type": "application/json"})
    error(resp, 400, 3001)


def test_json_is_read_whatever_the_content_type(client):
    import json
    resp = client.post(f"{BASE}/v1/messages", content=json.dumps(OK), headers={**AUTH, "Content-Type": "text/plain"})
    assert resp.status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"template": {"id": 1233, "params": {}}}, "to"),
    ({"to": [], "template": {"id": 1233, "params": {}}}, "to"),
    ({"to": [123], "template": {"id": 1233, "params": {}}}, "to.0"),
    ({"to": "+8618701235678"}, "template"),
    ({"to": "+8618701235678", "template": {"params": {}}}, "template.id"),
    ({"to": "+8618701235678", "template": {"id": 1233}}, "template.params"),
    ({"to": "+8618701235678", "template": {"id": 1233, "params": {"a": {"nested": 1}}}}, "template.params.a"),
    ({"to": "+8618701235678", "template": {"id": True, "params": {}}}, "template.id"),
    ({**OK, "schedule_time": "tomorrow"}, "schedule_time"),
    ({**OK, "plan_name": 5}, "plan_name"),
    ({**OK, "custom_args": [1]}, "custom_args"),
])
def test_3002_invalid_parameters(client, body, field):
    resp = send(client, body)
    result = error(resp, 400, 3002)
    assert f"{field}:" in result["message"]
    if isinstance(body.get("to"), list):
        assert result["total_count"] == len(body["to"])


def test_3002_millisecond_schedule_time(client):
    now = client.get("/_mock/clock").json()["now"]
    result = error(send(client, {**OK, "schedule_time": int(now * 1000) + 60_000}), 400, 3002)
    assert "seconds" in result["message"] and result["total_count"] == 1


def test_3003_business_validation(client):
    assert "pending review" in error(send(client, tpl("pending-template", date="x")), 400, 3003)["message"]
    rejected = error(send(client, tpl("rejected-template")), 400, 3003)["message"]
    assert "rejected" in rejected and "casino" in rejected
    now = client.get("/_mock/clock").json()["now"]
    assert "later than" in error(send(client, {**OK, "schedule_time": int(now) - 10}), 400, 3003)["message"]


def test_3003_signature_not_approved(client):
    created = client.post(f"{BASE}/v1/template-configs", headers=AUTH, json={
        "template_name": "needs pending sign", "template_type": "utility", "template_content": "Hi {{n}}",
        "country_codes": "CN", "add_signature": True, "sign_id": "1002", "sign_position": 2}).json()
    advance(client, 30)
    body = error(send(client, tpl(created["template_id"], n="x")), 400, 3003)
    assert "signature 1002" in body["message"] and "pending" in body["message"]


def test_3003_insufficient_balance(client):
    client.patch("/_mock/accounts/engagelab-demo", json={"credits": 1})
    body = error(send(client, tpl(1233, to=["+8618701235678", "+639171234567"], content="a")), 400, 3003)
    assert "insufficient balance" in body["message"] and body["total_count"] == 2
    assert balance(client) == 1 and plan_count(client) == 0


def test_3004_same_otp_template_same_target_within_window(client):
    first = send(client, tpl("otp-template", code="1111"))
    assert first.status_code == 200
    body = error(send(client, tpl("otp-template", code="2222")), 400, 3004)
    assert "+8618701235678" in body["message"] and body["total_count"] == 1
    assert plan_count(client) == 1
    # Other templates and other targets are not limited; the window ends after 300 s.
    assert send(client, tpl("notification-template", order="1")).status_code == 200
    assert send(client, tpl("otp-template", to="+639171234567", code="3")).status_code == 200
    advance(client, 299)
    error(send(client, tpl("otp-template", code="4")), 400, 3004)
    advance(client, 1.5)
    assert send(client, tpl("otp-template", code="5")).status_code == 200


def test_concurrent_otp_sends_to_one_target_store_one(client):
    """Sent at once, two verification codes to the same target: the resend check runs inside each send's
    transaction, so however the group writer batches them, one is stored and the other is 3004."""
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: send(client, tpl("otp-template", code=str(i))), range(8)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] + [400] * 7, [r.text for r in answers]
    assert all(r.json()["code"] == 3004 for r in answers if r.status_code == 400)
    assert plan_count(client) == 1


def test_3004_window_is_configurable(client_factory):
    client = client_factory(provider_settings={"engagelab": {"otp_validity": 0}})
    assert send(client, tpl("otp-template", code="1")).status_code == 200
    assert send(client, tpl("otp-template", code="1")).status_code == 200


def test_4001_template_not_found(client):
    body = error(send(client, tpl("no-such-template")), 400, 4001)
    assert "no-such-template" in body["message"]
    error(send(client, tpl(999999)), 400, 4001)


def test_5001_verification_code_submission_fails(client):
    before = balance(client)
    body = error(send(client, tpl("otp-template", to="+639170999001", code="1")), 400, 5001)
    assert "+639170999001" in body["message"]
    assert balance(client) == before and plan_count(client) == 0
    # A non-authentication template to the same number is accepted (it fails later, by callback).
    assert send(client, tpl("notification-template", to="+639170999001", order="1")).status_code == 200


def test_errors_in_http_200_when_configured(client_factory):
    client = client_factory(provider_settings={"engagelab": {"send_errors_http_200": True}})
    assert error(send(client, OK, headers=basic(secret="x")), 200, 2001)["message"] == "Authentication failed, incorrect token provided"
    assert error(send(client, tpl("nope")), 200, 4001)["total_count"] == 1
    resp = client.post(f"{BASE}/v1/messages", content=b"{", headers=AUTH)
    assert error(resp, 200, 3001)["message"].startswith("Invalid request parameter format")


def test_refused_requests_store_nothing_and_send_no_callback(client, receiver):
    set_callback(client, receiver.url())
    before = balance(client)
    error(send(client, tpl("nope")), 400, 4001)
    error(send(client, tpl("pending-template")), 400, 3003)
    advance(client, 10)
    assert plan_count(client) == 0 and balance(client) == before
    assert receiver.bodies("/hook") == [{}]  # only the URL check


def test_unknown_path_and_method_are_vendor_shaped(client):
    resp = client.get(f"{BASE}/v1/nothing", headers=AUTH)
    assert resp.status_code == 404 and resp.json() == {"code": 404, "message": "not found: GET /engagelab/v1/nothing"}
    resp = client.get(f"{BASE}/v1/messages", headers=AUTH)
    assert resp.status_code == 405 and resp.json() == {"code": 405, "message": "method GET not allowed"}


def test_oversized_body(client_factory):
    client = client_factory(max_body_bytes=200)
    big = tpl(1233, content="x" * 500)
    body = error(send(client, big), 413, 3002)
    assert "too large" in body["message"]
    resp = client.post(f"{BASE}/v1/sign-configs", headers=AUTH, json={"sign_name": "x" * 500})
    assert resp.status_code == 413 and resp.json() == {"code": 400, "message": "request body too large"}
