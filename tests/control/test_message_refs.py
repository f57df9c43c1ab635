"""/_mock/messages/{id} and its recipients/events/webhooks accept the id a client holds: the sandbox's
integer or any id a vendor API returned (Cast message_id, SMSCPR msgId, me-sms uuid, EngageLab ids)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mockserver.settings import Settings
from tests.conftest import Sandboxes, database_url

from tests.vendors import VENDORS


@pytest.fixture
def ref_client(tmp_path: Path, db_backend: str, sandboxes: Sandboxes) -> TestClient:
    return sandboxes.start(Settings(database_url=database_url(tmp_path, "refs.db"), seed=11, scheduler_enabled=False,
                                    clock_frozen=True))


def sends(client: TestClient) -> dict[str, tuple[str, list[str]]]:
    """provider -> (the message's body marker, the ids its vendor API returned); Cast's bulk ids too."""
    found = {}
    for name, vendor in VENDORS.items():
        resp = vendor.send(client, text=f"{name} ref")
        assert resp.status_code == 200, resp.text
        found[name] = (f"{name} ref", vendor.returned_ids(resp.json()))
    cast = VENDORS["cast"]
    bulk = client.post("/cast/api/sms/bulk", headers=cast.headers,
                       json={"to": ["09171234567", "09171234568"], "message": "cast bulk ref", "sender_id": "MYAPP"})
    found["cast bulk"] = ("cast bulk ref", [r["message_id"] for r in bulk.json()["results"]])
    return found


def test_every_vendor_id_finds_its_message(ref_client: TestClient):
    for provider, (marker, vendor_ids) in sends(ref_client).items():
        assert vendor_ids and all(vendor_ids), (provider, vendor_ids)
        for vendor_id in vendor_ids:
            resp = ref_client.get(f"/_mock/messages/{vendor_id}")
            assert resp.status_code == 200, (provider, vendor_id, resp.text)
            found = resp.json()
            assert (found["provider"], marker in found["body"]) == (provider.split()[0], True)
            by_int = ref_client.get(f"/_mock/messages/{found['id']}").json()
            assert by_int["id"] == found["id"]
            for sub in ("recipients", "events", "webhooks"):
                via_vendor = ref_client.get(f"/_mock/messages/{vendor_id}/{sub}")
                assert via_vendor.status_code == 200, (provider, sub, via_vendor.text)
                assert via_vendor.json() == ref_client.get(f"/_mock/messages/{found['id']}/{sub}").json()


def test_cast_destination_ids_name_the_same_submission(ref_client: TestClient):
    _, ids = sends(ref_client)["cast bulk"]
    assert len(ids) == 2
    assert ref_client.get(f"/_mock/messages/{ids[0]}").json()["id"] == ref_client.get(f"/_mock/messages/{ids[1]}").json()["id"]


def test_unknown_ids_are_404_and_impossible_integers_422(ref_client: TestClient):
    assert ref_client.get("/_mock/messages/CAST0000000000000000").status_code == 404
    assert ref_client.get("/_mock/messages/123456").json() == {"detail": "message 123456 not found"}
    assert ref_client.get("/_mock/messages/99999999999999999999/events").status_code == 422
    assert ref_client.get("/_mock/messages/" + "x" * 201).status_code == 422
