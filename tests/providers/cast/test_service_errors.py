"""Cast's producible service errors (v1 doc error codes): 503 SERVICE_UNAVAILABLE for sms, otp and bulk
(a setting, and a per-account switch through the control API), 402 CREDIT_LIMIT_REACHED on a postpaid
account with a credit limit, and 502 PROVIDER_ERROR on a magic number. None of them takes credits."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit
from tests.providers.cast.kit import BOTH, V1, err, send

PATHS = [("sms/send", "09171234567"), ("otp/send", "09171234567"), ("sms/bulk", ["09171234567"])]
DISABLED = "SMS service is temporarily disabled"


@pytest.mark.parametrize("path,to", PATHS)
@pytest.mark.parametrize("base", BOTH)
def test_sms_service_disabled_by_setting(client_factory, base, path, to):
    client = client_factory(provider_settings={"cast": {"sms_service_enabled": False}})
    resp = send(client, {"to": to, "message": "x", "sender_id": "CAST"}, path=path, base=base)
    assert (resp.status_code, resp.json()) == (503, err(DISABLED, "SERVICE_UNAVAILABLE" if base == V1 else None))
    assert kit.logs(client) == [] and kit.balance(client) == 1_000_000


@pytest.mark.parametrize("path,to", PATHS)
def test_sms_service_disabled_per_account_through_the_control_api(client, path, to):
    patched = client.patch("/_mock/accounts/cast-demo", json={"extra": {"sms_service_enabled": False}})
    assert patched.status_code == 200
    resp = send(client, {"to": to, "message": "x", "sender_id": "CAST"}, path=path, base=V1)
    assert (resp.status_code, resp.json()) == (503, err(DISABLED, "SERVICE_UNAVAILABLE"))
    other = send(client, {"to": "09171234567", "message": "x"}, key=kit.ONE_SENDER)
    assert other.status_code == 200  # another account is unaffected
    client.patch("/_mock/accounts/cast-demo", json={"extra": {"sms_service_enabled": None}})
    assert send(client, {"to": to, "message": "x", "sender_id": "CAST"}, path=path).status_code == 200


def test_sim_is_not_switched_off_by_the_sms_switch(client):
    client.patch("/_mock/accounts/cast-sim", json={"extra": {"sms_service_enabled": False}})
    resp = send(client, {"to": "09171234567", "message": "x", "sender_id": "CAST"}, key=kit.SIM, path="sim/send")
    assert resp.status_code == 200


@pytest.mark.parametrize("base", BOTH)
def test_credit_limit_reached_on_postpaid(client, base):
    client.patch("/_mock/accounts/cast-postpaid", json={"credits": -99})
    ok = send(client, {"to": "09171234567", "message": "x"}, key=kit.POSTPAID, base=base)
    assert ok.status_code == 200 and kit.balance(client, kit.POSTPAID) == -100
    resp = send(client, {"to": "09171234567", "message": "x"}, key=kit.POSTPAID, base=base)
    assert (resp.status_code, resp.json()) == (402, err("credit limit reached: need 1, limit 100, balance -100",
                                                        "CREDIT_LIMIT_REACHED" if base == V1 else None))
    bulk = send(client, {"to": ["09171234567"], "message": "x"}, key=kit.POSTPAID, path="sms/bulk", base=base)
    assert bulk.status_code == 402 and "results" not in bulk.json()
    assert kit.balance(client, kit.POSTPAID) == -100


def test_credit_limit_counts_every_part_and_destination(client):
    client.patch("/_mock/accounts/cast-postpaid", json={"credits": -97})
    resp = send(client, {"to": ["09171234567", "09181234567"], "message": "a" * 200}, key=kit.POSTPAID,
                path="sms/bulk", base=V1)
    assert (resp.status_code, resp.json()["error_code"]) == (402, "CREDIT_LIMIT_REACHED")
    assert send(client, {"to": "09171234567", "message": "a" * 200}, key=kit.POSTPAID).status_code == 200
    assert kit.balance(client, kit.POSTPAID) == -99


def test_postpaid_without_a_limit_goes_as_low_as_needed(client):
    client.patch("/_mock/accounts/cast-postpaid", json={"credits": -5000, "extra": {"credit_limit": None}})
    assert send(client, {"to": "09171234567", "message": "x"}, key=kit.POSTPAID).status_code == 200


@pytest.mark.parametrize("path", ["sms/send", "otp/send"])
@pytest.mark.parametrize("base", BOTH)
def test_provider_error_magic_number(client, base, path):
    resp = send(client, {"to": "09170999502", "message": "x", "sender_id": "CAST"}, path=path, base=base)
    assert (resp.status_code, resp.json()) == (502, err("provider error: the upstream SMSC refused the message",
                                                        "PROVIDER_ERROR" if base == V1 else None))
    assert kit.logs(client) == [] and kit.balance(client) == 1_000_000


def test_provider_error_in_a_bulk_fails_that_destination_only(client):
    body = send(client, {"to": ["+639170999502", "09171234567"], "message": "x", "sender_id": "CAST"},
                path="sms/bulk").json()
    assert body["results"][0] == {"to": "+639170999502", "success": False,
                                  "error": "provider error: the upstream SMSC refused the message"}
    assert (body["success"], body["sent"], body["failed"]) == (False, 1, 1)
    advance(client, 5)
    assert kit.balance(client) == 999_999
