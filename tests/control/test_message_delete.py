"""DELETE /_mock/messages/{id}: by our id or a vendor id, the message and all it owns are gone, 404 when
unknown, and neither the scheduler nor the webhook dispatcher trips over (or sends for) a deleted message."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mockserver.settings import Settings
from tests.conftest import Sandboxes, database_url

from tests.providers.cast.kit import README as CAST_KEY
DEAD_RECEIVER = "http://127.0.0.1:9/dlr"  # nothing listens: every attempt fails and stays pending


@pytest.fixture
def del_client(tmp_path: Path, db_backend: str, sandboxes: Sandboxes) -> TestClient:
    client = sandboxes.start(Settings(database_url=database_url(tmp_path, "delete.db"), seed=5,
                                      scheduler_enabled=False, clock_frozen=True))
    resp = client.patch("/_mock/accounts/cast-demo", json={"dlr_url": DEAD_RECEIVER})
    assert resp.status_code == 200, resp.text
    return client


def send(client: TestClient, text: str) -> dict:
    resp = client.post("/cast/api/sms/bulk", headers={"X-API-Key": CAST_KEY},
                       json={"to": ["09171234567", "09170999006"], "message": text, "sender_id": "MYAPP"})
    assert resp.status_code < 300, resp.text
    return resp.json()


def hooks_of(client: TestClient, message_id: int) -> list:
    return client.get("/_mock/webhooks", params={"message_id": message_id}).json()["items"]


def test_delete_by_vendor_id_and_by_our_id(del_client: TestClient):
    kept, doomed, other = send(del_client, "kept"), send(del_client, "doomed"), send(del_client, "other")
    del_client.post("/_mock/clock/advance", json={"seconds": 2})  # sent: webhooks queued, attempts logged
    vendor_id = doomed["results"][1]["message_id"]
    doomed_id = del_client.get(f"/_mock/messages/{vendor_id}").json()["id"]
    assert hooks_of(del_client, doomed_id), "the doomed message has webhooks to remove"
    assert del_client.get("/_mock/webhooks", params={"message_id": doomed_id, "attempts": True}).json()["items"][0]["attempts"]

    resp = del_client.delete(f"/_mock/messages/{vendor_id}")
    assert resp.status_code == 204 and resp.content == b""
    for ref in (vendor_id, str(doomed_id)):
        assert del_client.get(f"/_mock/messages/{ref}").status_code == 404
    bodies = [m["body"] for m in del_client.get("/_mock/messages").json()["items"]]
    assert "doomed" not in bodies and {"kept", "other"} <= set(bodies)
    assert hooks_of(del_client, doomed_id) == []
    assert all(h["message_id"] != doomed_id for h in del_client.get("/_mock/webhooks").json()["items"])

    other_id = del_client.get(f"/_mock/messages/{other['results'][0]['message_id']}").json()["id"]
    assert del_client.delete(f"/_mock/messages/{other_id}").status_code == 204
    assert del_client.get(f"/_mock/messages/{other_id}").status_code == 404
    kept_id = del_client.get(f"/_mock/messages/{kept['results'][0]['message_id']}").json()["id"]
    assert del_client.get(f"/_mock/messages/{kept_id}").json()["recipient_count"] == 2


def test_unknown_id_is_404_in_the_control_shape(del_client: TestClient):
    for ref in ("999999", "CASTnosuchmessage"):
        resp = del_client.delete(f"/_mock/messages/{ref}")
        assert resp.status_code == 404 and resp.json() == {"detail": f"message {ref} not found"}
    assert del_client.delete("/_mock/messages/99999999999999999999").status_code == 422
    msg = send(del_client, "twice")["results"][0]["message_id"]
    assert del_client.delete(f"/_mock/messages/{msg}").status_code == 204
    assert del_client.delete(f"/_mock/messages/{msg}").status_code == 404


def test_clock_advance_after_a_delete_raises_nothing_and_sends_nothing_for_it(del_client: TestClient):
    kept, doomed = send(del_client, "kept"), send(del_client, "doomed")
    del_client.post("/_mock/clock/advance", json={"seconds": 2})  # both sent; a DLR retry is pending for each
    doomed_id = del_client.get(f"/_mock/messages/{doomed['results'][0]['message_id']}").json()["id"]
    kept_id = del_client.get(f"/_mock/messages/{kept['results'][0]['message_id']}").json()["id"]
    assert [h["status"] for h in hooks_of(del_client, doomed_id)].count("pending") >= 1
    assert del_client.delete(f"/_mock/messages/{doomed_id}").status_code == 204

    before = len(del_client.get("/_mock/webhooks", params={"limit": 500}).json()["items"])
    for seconds in (5, 60, 700):  # delivered, retries due, the 999006 recipient's receipt timeout
        resp = del_client.post("/_mock/clock/advance", json={"seconds": seconds})
        assert resp.status_code == 200, resp.text
    hooks = del_client.get("/_mock/webhooks", params={"limit": 500, "attempts": True}).json()["items"]
    assert all(h["message_id"] != doomed_id for h in hooks)
    assert len(hooks) > before  # the kept message went on: its receipts were queued and attempted
    assert del_client.get(f"/_mock/messages/{kept_id}").json()["status"] == "completed"
    assert del_client.get("/_mock/health").status_code == 200
