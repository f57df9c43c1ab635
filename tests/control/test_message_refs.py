"""/_mock/messages/{id} and its recipients/events/webhooks accept the id a client holds: the sandbox's
integer or any id a vendor API returned (Cast message_id, SMSCPR msgId, me-sms uuid, EngageLab ids)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.conftest import database_url

CAST_KEY = "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"
SMSCPR = "Bearer smscpr_sandbox_token_111111111111111111111111"


@pytest.fixture
def ref_client(tmp_path: Path, db_backend: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url(tmp_path, "refs.db"), seed=11, scheduler_enabled=False,
                        clock_frozen=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def sends(client: TestClient) -> dict[str, tuple[str, list[str]]]:
    """provider -> (the message's body marker, the ids its vendor API returned)."""
    cast = client.post("/cast/api/sms/bulk", headers={"X-API-Key": CAST_KEY},
                       json={"to": ["09171234567", "09171234568"], "message": "cast ref", "sender_id": "MYAPP"}).json()
    smscpr = client.post("/smscpr/messages/sms", headers={"Authorization": SMSCPR}, json={
        "servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
        "to": "+15550002222", "body": "smscpr ref"}).json()
    mesms = client.post("/mesms/api/v2/sms/send", headers={"x-api-key": "mesms_demo_key_0123456789abcdef"},
                        json={"sender": "MeSMS", "content": "mesms ref", "msisdns": ["0812345678"]}).json()
    engage = client.post("/engagelab/v1/messages", auth=("engagelab_dev_key", "engagelab_dev_secret"), json={
        "to": ["923700056581"], "template": {"id": 1233, "params": {"content": "engagelab ref"}}}).json()
    return {
        "cast": ("cast ref", [r["message_id"] for r in cast["results"]]),
        "smscpr": ("smscpr ref", [smscpr["msgId"]]),
        "mesms": ("mesms ref", [mesms["uuid"]]),
        "engagelab": ("engagelab ref", [engage["plan_id"], engage["message_id"]]),
    }


def test_every_vendor_id_finds_its_message(ref_client: TestClient):
    for provider, (marker, vendor_ids) in sends(ref_client).items():
        assert vendor_ids and all(vendor_ids), (provider, vendor_ids)
        for vendor_id in vendor_ids:
            resp = ref_client.get(f"/_mock/messages/{vendor_id}")
            assert resp.status_code == 200, (provider, vendor_id, resp.text)
            found = resp.json()
            assert (found["provider"], marker in found["body"]) == (provider, True)
            by_int = ref_client.get(f"/_mock/messages/{found['id']}").json()
            assert by_int["id"] == found["id"]
            for sub in ("recipients", "events", "webhooks"):
                via_vendor = ref_client.get(f"/_mock/messages/{vendor_id}/{sub}")
                assert via_vendor.status_code == 200, (provider, sub, via_vendor.text)
                assert via_vendor.json() == ref_client.get(f"/_mock/messages/{found['id']}/{sub}").json()


def test_cast_destination_ids_name_the_same_submission(ref_client: TestClient):
    _, ids = sends(ref_client)["cast"]
    assert len(ids) == 2
    assert ref_client.get(f"/_mock/messages/{ids[0]}").json()["id"] == ref_client.get(f"/_mock/messages/{ids[1]}").json()["id"]


def test_unknown_ids_are_404_and_impossible_integers_422(ref_client: TestClient):
    assert ref_client.get("/_mock/messages/CAST0000000000000000").status_code == 404
    assert ref_client.get("/_mock/messages/123456").json() == {"detail": "message 123456 not found"}
    assert ref_client.get("/_mock/messages/99999999999999999999/events").status_code == 422
    assert ref_client.get("/_mock/messages/" + "x" * 201).status_code == 422
