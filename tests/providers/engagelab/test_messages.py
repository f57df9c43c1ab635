"""POST /v1/messages: the seed's examples as written, loose typing, placeholders, signatures, targets,
scheduling, parts and credits."""

from __future__ import annotations

from tests.conftest import advance
from tests.providers.engagelab.kit import AUTH, BASE, balance, send, stored_plan, tpl

SEED_SINGLE = {"to": ["923700056581"], "template": {"id": 1233, "params": {
    "content": "Verification code: 039487. This code will expire in 5 minutes. You are attempting to create "
               "your account."}}}
SEED_NOTIFICATION = {"to": "+8618701235678", "template": {"id": "notification-template", "params": {"order": "123456"}}}
SEED_MARKETING = {"to": "+8618701235678", "template": {"id": "marketing-template",
                                                       "params": {"name": "EngageLab", "promotion": "30%"}}}


def test_seed_single_target(client):
    resp = send(client, SEED_SINGLE)
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"plan_id", "total_count", "accepted_count", "message_id"}
    assert body["total_count"] == 1 and body["accepted_count"] == 1
    assert isinstance(body["plan_id"], str) and len(body["plan_id"]) == 19 and body["plan_id"].isdigit()
    assert isinstance(body["message_id"], str) and body["message_id"].isdigit() and body["message_id"] != body["plan_id"]
    plan = stored_plan(client, body["plan_id"])
    assert plan["body"] == SEED_SINGLE["template"]["params"]["content"]
    assert plan["to"] == "+923700056581"


def test_seed_notification_and_marketing_examples(client):
    notification = send(client, SEED_NOTIFICATION)
    assert notification.status_code == 200 and notification.json()["accepted_count"] == 1
    assert stored_plan(client, notification.json()["plan_id"])["body"] == "Your order 123456 has been shipped."
    marketing = send(client, SEED_MARKETING)
    assert marketing.status_code == 200
    assert stored_plan(client, marketing.json()["plan_id"])["body"] == (
        "Hi EngageLab, enjoy 30% off everything this week! Reply STOP to opt out.")


def test_seed_scheduled_task(client):
    now = client.get("/_mock/clock").json()["now"]
    resp = send(client, {**SEED_NOTIFICATION, "schedule_time": int(now) + 3600})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"plan_id", "total_count", "accepted_count", "schedule_info"}  # as the seed's example
    assert isinstance(body["schedule_info"]["task_id"], int) and len(str(body["schedule_info"]["task_id"])) == 19
    plan = stored_plan(client, body["plan_id"])
    assert plan["status"] == "scheduled" and plan["counts"] == {"scheduled": 1}
    advance(client, 3599)
    assert stored_plan(client, body["plan_id"])["counts"] == {"scheduled": 1}
    advance(client, 1)
    assert stored_plan(client, body["plan_id"])["counts"] == {"queued": 1}
    advance(client, 1)
    assert stored_plan(client, body["plan_id"])["counts"] == {"sent": 1}
    advance(client, 3)
    assert stored_plan(client, body["plan_id"])["counts"] == {"delivered": 1}


def test_multiple_targets_have_no_message_id(client):
    resp = send(client, tpl("notification-template", to=["+8618701235678", "+639171234567"], order="9"))
    assert resp.status_code == 200
    assert resp.json().keys() == {"plan_id", "total_count", "accepted_count"}
    assert resp.json()["total_count"] == 2 and resp.json()["accepted_count"] == 2


def test_invalid_targets_reduce_accepted_count(client):
    resp = send(client, tpl("notification-template", to=["+8618701235678", "12345", "not-a-number"], order="1"))
    assert resp.status_code == 200
    assert resp.json()["total_count"] == 3 and resp.json()["accepted_count"] == 1
    plan = stored_plan(client, resp.json()["plan_id"])
    assert plan["counts"] == {"queued": 1, "invalid": 2}


def test_only_invalid_targets_still_answer_200(client):
    before = balance(client)
    resp = send(client, tpl("notification-template", to="12345", order="1"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["total_count"] == 1 and body["accepted_count"] == 0 and body["message_id"].isdigit()
    assert balance(client) == before


def test_string_template_id_and_integer_id_are_the_same(client):
    assert send(client, tpl("1233", content="a")).status_code == 200
    assert send(client, tpl(1233, content="a")).status_code == 200


def test_unfilled_placeholder_is_sent_literally_and_single_braces_are_filled(client):
    resp = send(client, tpl("notification-template"))
    assert stored_plan(client, resp.json()["plan_id"])["body"] == "Your order {{order}} has been shipped."
    signed = send(client, tpl("signed-template", order_no="A-77"))
    assert stored_plan(client, signed.json()["plan_id"])["body"] == "【EngageLab】Your parcel A-77 is out for delivery."


def test_values_are_not_substituted_twice_and_scalars_are_rendered(client):
    resp = send(client, tpl("marketing-template", name="{promotion}", promotion=25))
    assert stored_plan(client, resp.json()["plan_id"])["body"].startswith("Hi {promotion}, enjoy 25 off")
    resp = send(client, tpl(1233, content=True))
    assert stored_plan(client, resp.json()["plan_id"])["body"] == "true"


def test_signature_is_shown_in_sent_text_and_counts_as_ucs2(client):
    resp = send(client, tpl("signed-template", order_no="1"))
    plan = stored_plan(client, resp.json()["plan_id"])
    assert plan["from"] == "EngageLab"
    assert plan["encoding"] == "UCS-2" and plan["parts"] == 1


def test_parts_and_credits_follow_the_text_after_substitution(client):
    before = balance(client)
    long_text = "x" * 200  # GSM-7: 2 parts
    resp = send(client, tpl(1233, to=["+8618701235678", "+639171234567", "12345"], content=long_text))
    plan = stored_plan(client, resp.json()["plan_id"])
    assert plan["parts"] == 2 and plan["encoding"] == "GSM-7"
    assert balance(client) == before - 4  # 2 valid targets x 2 parts; the invalid one is free


def test_plan_name_custom_args_and_template_are_kept(client):
    resp = send(client, {**tpl("notification-template", order="5"), "plan_name": "june", "custom_args": {"k": 1}})
    meta = stored_plan(client, resp.json()["plan_id"])["meta"]
    assert meta["plan_name"] == "june" and meta["custom_args"] == {"k": 1}
    assert meta["template_id"] == "notification-template"
    default = send(client, tpl("notification-template", order="5"))
    assert stored_plan(client, default.json()["plan_id"])["meta"]["plan_name"] == "-"


def test_country_codes_restrict_targets(client):
    created = client.post(f"{BASE}/v1/template-configs", headers=AUTH, json={
        "template_name": "CN only", "template_type": "utility", "template_content": "Hello {{who}}",
        "country_codes": "CN"})
    template_id = created.json()["template_id"]
    advance(client, 30)
    resp = send(client, tpl(template_id, to=["+8618701235678", "+639171234567"], who="you"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["accepted_count"] == 1


def test_authentication_template_can_be_sent_to_other_targets(client):
    assert send(client, tpl("otp-template", to="+8618701235678", code="1234")).status_code == 200
    assert send(client, tpl("otp-template", to="+639171234567", code="1234")).status_code == 200
