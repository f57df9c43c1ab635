"""/v1/sign-configs: create, list, get, update, delete; name rules; review states; signatures in sent text."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.engagelab.kit import AUTH, BASE, send, stored_plan, tpl

URL = f"{BASE}/v1/sign-configs"


def create(client, name: str) -> str:
    resp = client.post(URL, headers=AUTH, json={"sign_name": name})
    assert resp.status_code == 200, resp.text
    assert list(resp.json()) == ["sign_id"]
    return resp.json()["sign_id"]


def get(client, sign_id: str) -> dict:
    resp = client.get(f"{URL}/{sign_id}", headers=AUTH)
    assert resp.status_code == 200, resp.text
    return resp.json()


def refused(resp, message: str) -> None:
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"code": 400, "message": message}


def test_create_get_list(client):
    now = int(client.get("/_mock/clock").json()["now"])
    sign_id = create(client, "Acme Shop")
    assert get(client, sign_id) == {"sign_id": sign_id, "sign_name": "Acme Shop", "status": 1,
                                    "related_template_count": 0, "audit_remark": "", "created_time": now,
                                    "updated_time": now}
    listed = {s["sign_id"]: s for s in client.get(URL, headers=AUTH).json()}
    assert set(listed) == {"1001", "1002", sign_id}
    assert listed["1001"]["related_template_count"] == 1 and listed["1001"]["status"] == 2
    assert listed["1002"]["status"] == 1


def test_review_approves_or_rejects(client):
    good, bad = create(client, "Acme Shop"), create(client, "Lucky casino")
    advance(client, 30)
    assert get(client, good)["status"] == 2
    rejected = get(client, bad)
    assert rejected["status"] == 3 and "casino" in rejected["audit_remark"]


@pytest.mark.parametrize("name, message", [
    ("A", "sign_name length must be between 2 and 60 characters"),
    ("x" * 61, "sign_name length must be between 2 and 60 characters"),
    ("【Acme】", "sign_name can not contain 【"),
    ("Acme】", "sign_name can not contain 】"),
    ("[Acme", "sign_name can not contain ["),
    ("Acme]", "sign_name can not contain ]"),
    ("EngageLab", "sign_name already exist"),
])
def test_name_rules(client, name, message):
    refused(client.post(URL, headers=AUTH, json={"sign_name": name}), message)


def test_two_and_sixty_characters_are_fine(client):
    create(client, "AB")
    create(client, "y" * 60)


def test_body_errors(client):
    resp = client.post(URL, headers=AUTH, json={})
    assert resp.status_code == 400 and resp.json()["message"].startswith("invalid request body: sign_name:")
    resp = client.post(URL, headers=AUTH, json={"sign_name": 12})
    assert resp.status_code == 400 and resp.json()["code"] == 400


def test_update(client):
    resp = client.put(f"{URL}/1001", headers=AUTH, json={"sign_name": "EngageLab Global"})
    assert resp.status_code == 200 and resp.json() == {"code": 0, "message": "success"}
    found = get(client, "1001")
    assert found["sign_name"] == "EngageLab Global" and found["status"] == 1
    # A template using a signature under review cannot send until it is approved again.
    assert send(client, tpl("signed-template", order_no="1")).json()["code"] == 3003
    advance(client, 30)
    resp = send(client, tpl("signed-template", order_no="1"))
    assert stored_plan(client, resp.json()["plan_id"])["body"] == "【EngageLab Global】Your parcel 1 is out for delivery."


def test_update_rules(client):
    refused(client.put(f"{URL}/1002", headers=AUTH, json={"sign_name": "Other"}), "can not update pending status sign")
    other = create(client, "Other Brand")
    advance(client, 30)
    refused(client.put(f"{URL}/{other}", headers=AUTH, json={"sign_name": "EngageLab"}), "sign_name already exist")
    assert client.put(f"{URL}/{other}", headers=AUTH, json={"sign_name": "Other Brand"}).status_code == 200


def test_unknown_and_invalid_ids(client):
    refused(client.get(f"{URL}/404", headers=AUTH), "sign config not exist")
    refused(client.put(f"{URL}/404", headers=AUTH, json={"sign_name": "Fine"}), "sign config not exist")
    refused(client.delete(f"{URL}/404", headers=AUTH), "sign config not exist")
    refused(client.get(f"{URL}/a%20b", headers=AUTH), "invalid signId")


def test_delete(client):
    refused(client.delete(f"{URL}/1001", headers=AUTH), "there are templates using current sign, can not delete")
    sign_id = create(client, "Temporary")
    resp = client.delete(f"{URL}/{sign_id}", headers=AUTH)
    assert resp.status_code == 200 and resp.json() == {"code": 0, "message": "success"}
    refused(client.get(f"{URL}/{sign_id}", headers=AUTH), "sign config not exist")
