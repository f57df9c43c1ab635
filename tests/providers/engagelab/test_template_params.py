"""template.params may be omitted for a template without variables (EngageLab's own client omits it); for
a template with variables an omitted params is 3002 naming the first variable."""

from __future__ import annotations

from tests.providers.engagelab.kit import send, stored_plan


def test_params_omitted_for_a_template_without_variables(client):
    resp = send(client, {"to": ["+8618701235678"], "template": {"id": "static-template"}})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total_count"] == body["accepted_count"] == 1
    assert stored_plan(client, body["plan_id"])["body"] == "Thank you for your order."


def test_params_omitted_for_a_template_with_variables_is_3002(client):
    resp = send(client, {"to": ["+8618701235678"], "template": {"id": "notification-template"}})
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == 3002 and body["accepted_count"] == 0
    assert body["message"] == "Invalid request parameters: template.params: missing value for order"


def test_params_null_counts_as_omitted(client):
    assert send(client, {"to": "+8618701235678", "template": {"id": "static-template", "params": None}}).status_code == 200
    resp = send(client, {"to": "+8618701235678", "template": {"id": "marketing-template", "params": None}})
    assert resp.json()["message"] == "Invalid request parameters: template.params: missing value for name"
