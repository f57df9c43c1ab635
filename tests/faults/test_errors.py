"""A rule answering with the vendor's own error: status, body and headers as the vendor words them, and
nothing stored or charged (unless the rule says the vendor would have charged)."""

from __future__ import annotations

import pytest

from tests.faults.kit import VENDORS, add_fault, credits, fault, messages

LIMITED = [v for v in VENDORS.values() if v.limiter]  # the vendors with a rate-limit error in their catalogue


def test_catalogue_error_in_the_vendors_words_and_nothing_stored_or_charged(client, vendor):
    name, status, body = vendor.catalogue_error
    before = credits(client, vendor.account_id)
    rule = add_fault(client, provider=vendor.name, path=vendor.path, error=name)
    resp = vendor.send(client, vendor.pair[0])
    assert resp.status_code == status, resp.text
    got = resp.json()
    if vendor.name == "engagelab":  # a refused send still gets a fresh 19-digit plan id
        assert got.pop("plan_id").isdigit()
    assert got == body
    assert messages(client, vendor) == []
    assert credits(client, vendor.account_id) == before
    assert fault(client, rule["id"])["hits"] == 1


def test_the_first_send_fails_and_the_retry_succeeds(client, vendor):
    rule = add_fault(client, provider=vendor.name, method="POST", path=vendor.path, status=503, times=1)
    first = vendor.send(client, vendor.pair[0])
    assert first.status_code == 503, first.text
    second = vendor.send(client, vendor.pair[0])
    assert second.status_code == 200, second.text
    assert len(messages(client, vendor)) == 1
    view = fault(client, rule["id"])
    assert (view["hits"], view["seen"], view["exhausted"]) == (1, 1, True)


@pytest.mark.parametrize("vendor", LIMITED, ids=[v.name for v in LIMITED])
def test_429_carries_retry_after(client, vendor):
    add_fault(client, provider=vendor.name, path=vendor.path, error=vendor.rate_limited.code, retry_after=7)
    resp = vendor.send(client, vendor.pair[0])
    assert resp.status_code == 429, resp.text
    assert resp.headers["Retry-After"] == "7"
    assert messages(client, vendor) == []


def test_cast_legacy_path_answers_without_error_code(client):
    vendor = VENDORS["cast"]
    add_fault(client, provider="cast", path="/api/*sms/send", error="INSUFFICIENT_CREDITS")
    resp = client.post("/cast/api/sms/send", headers=vendor.headers, json=vendor.body([VENDORS["cast"].pair[0]]))
    assert resp.status_code == 402
    assert resp.json() == {"success": False, "error": "insufficient credits: need 6, have 3"}


def test_engagelab_send_error_follows_the_http_200_setting(client_factory):
    client = client_factory(provider_settings={"engagelab": {"send_errors_http_200": True}})
    vendor = VENDORS["engagelab"]
    add_fault(client, provider="engagelab", error="OTP_SEND_FAILED")
    resp = vendor.send(client, VENDORS["engagelab"].pair[0])
    assert resp.status_code == 200 and resp.json()["code"] == 5001


def test_charge_stores_the_send_and_takes_credits_but_answers_the_error(client, vendor):
    before = credits(client, vendor.account_id)
    add_fault(client, provider=vendor.name, path=vendor.path, status=500, charge=True)
    resp = vendor.send(client, vendor.pair[0])
    assert resp.status_code == 500, resp.text
    assert len(messages(client, vendor)) == 1
    assert credits(client, vendor.account_id) < before


def test_destination_glob_picks_the_request(client, vendor):
    plain, seven = vendor.pair
    rule = add_fault(client, provider=vendor.name, to="*7", status=503)
    assert vendor.send(client, plain).status_code == 200
    assert vendor.send(client, seven).status_code == 503
    assert fault(client, rule["id"])["hits"] == 1


def test_account_match_spares_other_accounts(client, vendor):
    add_fault(client, provider=vendor.name, account_id="someone-else", status=503)
    assert vendor.send(client, vendor.pair[0]).status_code == 200
    add_fault(client, provider=vendor.name, account_id=vendor.account_id, status=503)
    assert vendor.send(client, vendor.pair[0]).status_code == 503


def test_other_providers_and_paths_are_untouched(client, vendor):
    other = next(v for v in VENDORS.values() if v.name != vendor.name)
    add_fault(client, provider=other.name, status=503)
    add_fault(client, provider=vendor.name, path="/nowhere/*", status=503)
    assert vendor.send(client, vendor.pair[0]).status_code == 200
