"""/v1/template-configs: create, list, get, update, delete; validation texts; review states; the
"pending or used by a running plan" rule."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.engagelab.kit import AUTH, BASE, send, stored_plan, tpl

URL = f"{BASE}/v1/template-configs"
NEW = {"template_name": "Order Notification Template", "template_type": "utility",
       "template_content": "Your order {order_no} has been shipped and is expected to be delivered by {delivery_time}",
       "country_codes": "CN,US"}


def create(client, **changes) -> str:
    resp = client.post(URL, headers=AUTH, json={**NEW, **changes})
    assert resp.status_code == 200, resp.text
    assert list(resp.json()) == ["template_id"]
    return resp.json()["template_id"]


def get(client, template_id: str) -> dict:
    resp = client.get(f"{URL}/{template_id}", headers=AUTH)
    assert resp.status_code == 200, resp.text
    return resp.json()


def refused(resp, message: str) -> None:
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"code": 400, "message": message}


def test_create_starts_pending_with_documented_fields(client):
    now = int(client.get("/_mock/clock").json()["now"])
    template_id = create(client)
    assert template_id.isdigit()
    assert get(client, template_id) == {
        "template_id": template_id, "template_name": NEW["template_name"], "template_type": "utility",
        "template_content": NEW["template_content"], "country_codes": "CN,US", "status": 1, "sign_position": 0,
        "audit_remark": "", "created_time": now, "updated_time": now}


def test_review_approves_after_the_delay_and_then_it_sends(client):
    template_id = create(client)
    advance(client, 29)
    assert get(client, template_id)["status"] == 1
    assert send(client, tpl(template_id, order_no="1")).json()["code"] == 3003
    advance(client, 1)
    assert get(client, template_id)["status"] == 2
    resp = send(client, tpl(template_id, order_no="A1", delivery_time="Friday"))
    assert resp.status_code == 200 and resp.json()["accepted_count"] == 1


def test_instant_timing_reviews_at_the_next_tick(client_factory):
    client = client_factory(timing="instant")
    template_id = create(client)
    advance(client, 0)
    assert get(client, template_id)["status"] == 2


def test_content_matching_a_review_rule_is_rejected_with_audit_remark(client):
    template_id = create(client, template_content="Visit our casino {name}")
    advance(client, 30)
    found = get(client, template_id)
    assert found["status"] == 3 and "casino" in found["audit_remark"]


def test_list_holds_fixture_and_new_templates(client):
    template_id = create(client)
    listed = client.get(URL, headers=AUTH).json()
    by_id = {t["template_id"]: t for t in listed}
    assert {"1233", "notification-template", "marketing-template", template_id} <= set(by_id)
    assert by_id["pending-template"]["status"] == 1
    assert by_id["rejected-template"]["status"] == 3 and "casino" in by_id["rejected-template"]["audit_remark"]
    assert by_id["signed-template"]["sign_id"] == "1001" and by_id["signed-template"]["sign_name"] == "EngageLab"
    assert by_id["signed-template"]["sign_position"] == 1 and by_id["signed-template"]["sign_status"] == 2
    assert "sign_id" not in by_id["1233"]


def test_legacy_otp_type_maps_to_authentication(client):
    assert get(client, create(client, template_type="otp"))["template_type"] == "authentication"
    assert get(client, create(client, template_type="marketing"))["template_type"] == "marketing"


@pytest.mark.parametrize("bad", ["【", "】", "、", "测试", "test", "[", "]"])
def test_forbidden_content(client, bad):
    resp = client.post(URL, headers=AUTH, json={**NEW, "template_content": f"Hello {bad} world"})
    refused(resp, f"template_content can not contain {bad}")


@pytest.mark.parametrize("changes, message", [
    ({"template_name": "x" * 256}, "template_name can not exceed 255 characters"),
    ({"template_name": "  "}, "template_name is required"),
    ({"template_type": "transactional"}, "invalid template_type, expected authentication, utility or marketing"),
    ({"template_content": ""}, "template_content is required"),
    ({"country_codes": "China"}, "invalid country_codes, expected comma-separated ISO country codes such as CN,US"),
    ({"add_signature": True}, "sign_id is required when add_signature is true"),
    ({"add_signature": True, "sign_id": "1001"}, "sign_position is required when add_signature is true: 1 prefix, 2 suffix"),
    ({"add_signature": True, "sign_id": "1001", "sign_position": 3}, "sign_position is required when add_signature is true: 1 prefix, 2 suffix"),
    ({"add_signature": True, "sign_id": "404", "sign_position": 1}, "sign config not exist"),
])
def test_validation_messages(client, changes, message):
    refused(client.post(URL, headers=AUTH, json={**NEW, **changes}), message)


@pytest.mark.parametrize("missing", ["template_name", "template_type", "template_content", "country_codes"])
def test_required_fields(client, missing):
    body = {k: v for k, v in NEW.items() if k != missing}
    resp = client.post(URL, headers=AUTH, json=body)
    assert resp.status_code == 400 and resp.json()["code"] == 400
    assert resp.json()["message"].startswith(f"invalid request body: {missing}:")


def test_not_json_body(client):
    resp = client.post(URL, headers=AUTH, content=b"{oops")
    assert resp.status_code == 400
    assert resp.json() == {"code": 400, "message": "invalid request body: request body is not valid JSON"}


def test_get_update_delete_unknown_or_invalid_id(client):
    refused(client.get(f"{URL}/nope", headers=AUTH), "template config not exist")
    refused(client.put(f"{URL}/nope", headers=AUTH, json=NEW), "template config not exist")
    refused(client.delete(f"{URL}/nope", headers=AUTH), "template config not exist")
    refused(client.get(f"{URL}/bad%20id", headers=AUTH), "invalid templateId")


def test_update_goes_back_to_pending_and_is_reviewed_again(client):
    resp = client.put(f"{URL}/marketing-template", headers=AUTH, json={
        **NEW, "template_content": "Hi {{name}}, {{promotion}} off!", "template_type": "marketing"})
    assert resp.status_code == 200 and resp.json() == {"code": 0, "message": "success"}
    found = get(client, "marketing-template")
    assert found["status"] == 1 and found["template_content"] == "Hi {{name}}, {{promotion}} off!"
    assert send(client, tpl("marketing-template", name="a", promotion="b")).json()["code"] == 3003
    advance(client, 30)
    assert get(client, "marketing-template")["status"] == 2
    assert send(client, tpl("marketing-template", name="a", promotion="b")).status_code == 200


def test_pending_template_cannot_be_updated(client):
    refused(client.put(f"{URL}/pending-template", headers=AUTH, json=NEW), "can not update pending status template")


def test_template_used_by_running_plan_cannot_be_updated_or_deleted(client):
    now = client.get("/_mock/clock").json()["now"]
    assert send(client, {**tpl("notification-template", order="1"), "schedule_time": int(now) + 600}).status_code == 200
    message = "there are pending or running plans using current template, can not update"
    refused(client.put(f"{URL}/notification-template", headers=AUTH, json=NEW), message)
    refused(client.delete(f"{URL}/notification-template", headers=AUTH), message.replace("update", "delete"))
    advance(client, 605)  # the plan has run to completion
    assert client.put(f"{URL}/notification-template", headers=AUTH, json=NEW).status_code == 200


def test_rejected_template_can_be_fixed(client):
    resp = client.put(f"{URL}/rejected-template", headers=AUTH, json={**NEW, "template_type": "marketing"})
    assert resp.status_code == 200
    advance(client, 30)
    found = get(client, "rejected-template")
    assert found["status"] == 2 and found["audit_remark"] == ""


def test_delete(client):
    template_id = create(client)
    resp = client.delete(f"{URL}/{template_id}", headers=AUTH)
    assert resp.status_code == 200 and resp.json() == {"code": 0, "message": "success"}
    refused(client.get(f"{URL}/{template_id}", headers=AUTH), "template config not exist")
    assert send(client, tpl(template_id)).json()["code"] == 4001


def test_template_with_suffix_signature(client):
    template_id = create(client, template_content="Code {{c}} ready", add_signature=True, sign_id="1001", sign_position=2)
    found = get(client, template_id)
    assert (found["sign_id"], found["sign_name"], found["sign_position"], found["sign_status"]) == ("1001", "EngageLab", 2, 2)
    advance(client, 30)
    plan = send(client, tpl(template_id, c="9")).json()["plan_id"]
    assert stored_plan(client, plan)["body"] == "Code 9 ready【EngageLab】"
