"""POST /sim/send and /sim/bulk: need the `sim` channel (403 otherwise) and the SIM service (503
when MOCKSERVER_CAST_SIM_SERVICE_ENABLED=false); same shapes as sms/send and sms/bulk."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, LEGACY, V1, err, send


@pytest.mark.parametrize("base", BOTH)
def test_sim_send_uses_the_sim_sender(client, base):
    resp = send(client, {"to": "09171234567", "message": "via SIM"}, key=kit.SIM, path="sim/send", base=base)
    assert resp.status_code == 200
    mid = resp.json()["message_id"]
    advance(client, 5)
    body = kit.status(client, mid, kit.SIM, path="sim/status")
    assert (body["status"], body["dlr_status"]) == ("delivered", "DELIVRD")
    assert kit.balance(client, kit.SIM) == 9_999


def test_sim_bulk(client):
    resp = send(client, {"to": ["09171234567", "0918"], "message": "via SIM", "sender_id": "ESIM1"},
                key=kit.SIM, path="sim/bulk")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["success"], body["sent"], body["failed"]) == (False, 1, 1)
    assert body["results"][1] == {"to": "0918", "success": False, "error": "to must be 7-20 characters"}


@pytest.mark.parametrize("path", ["sim/send", "sim/bulk"])
@pytest.mark.parametrize("base", BOTH)
def test_readme_sim_key_takes_the_seed_sim_body_as_written(client, base, path):
    """The seed's SIM body is the Send SMS body (sender_id "CAST"); the README's SIM key accepts it."""
    to = ["09171234567"] if path == "sim/bulk" else "09171234567"
    resp = send(client, {"to": to, "message": "Hello, this is a test message.", "sender_id": "CAST"},
                key=kit.SIM, path=path, base=base)
    assert resp.status_code == 200, resp.text
    [entry] = kit.logs(client, kit.SIM)
    assert (entry["message_type"], entry["sender_id"]) == ("sim", "CAST")


def test_unknown_sender_on_sim_is_refused(client):
    resp = send(client, {"to": "09171234567", "message": "x", "sender_id": "MYAPP"}, key=kit.SIM, path="sim/send")
    assert (resp.status_code, resp.json()) == (
        403, err("sender_id 'MYAPP' is not allowed for this user", "SENDER_ID_NOT_ALLOWED"))


@pytest.mark.parametrize("path", ["sim/send", "sim/bulk"])
@pytest.mark.parametrize("base", BOTH)
def test_sim_channel_not_enabled(client, base, path):
    to = ["09171234567"] if path == "sim/bulk" else "09171234567"
    resp = send(client, {"to": to, "message": "x", "sender_id": "CAST"}, path=path, base=base)
    assert resp.status_code == 403
    assert resp.json() == err("sim channel not enabled for this account",
                              "CHANNEL_NOT_ALLOWED" if base == V1 else None)
    assert kit.logs(client) == []


@pytest.mark.parametrize("path", ["sim/send", "sim/bulk"])
@pytest.mark.parametrize("base", BOTH)
def test_sim_service_disabled(client_factory, base, path):
    client = client_factory(provider_settings={"cast": {"sim_service_enabled": False}})
    to = ["09171234567"] if path == "sim/bulk" else "09171234567"
    resp = send(client, {"to": to, "message": "x"}, key=kit.SIM, path=path, base=base)
    assert resp.status_code == 503
    assert resp.json() == err("sim service is disabled", "SERVICE_UNAVAILABLE" if base == V1 else None)
    assert send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}, key=kit.SIM).status_code == 200


def test_sim_status_of_unknown_id(client):
    resp = client.get(f"{V1}/sim/status/CAST0000000000000001", headers=kit.h(kit.SIM))
    assert (resp.status_code, resp.json()) == (404, err("message not found", "NOT_FOUND"))


@pytest.mark.parametrize("path", ["sim/send", "sim/bulk"])
def test_the_readme_sim_sender_fits_the_seed_limit(client, path):
    """Seed 004 §1: sender_id "Max 11 characters", error "sender ID is too long (max 11 characters)". The
    README's SIM sender (ESIM1, the v1 doc's example) passes on the seed path; a 12-character one is refused."""
    to = ["09171234567"] if path == "sim/bulk" else "09171234567"
    ok = send(client, {"to": to, "message": "via SIM", "sender_id": "ESIM1"}, key=kit.SIM, path=path, base=LEGACY)
    assert ok.status_code == 200, ok.text
    long = send(client, {"to": to, "message": "via SIM", "sender_id": "639170000001"}, key=kit.SIM, path=path,
                base=LEGACY)
    assert (long.status_code, long.json()) == (400, {"success": False, "error": "sender ID is too long (max 11 characters)"})
