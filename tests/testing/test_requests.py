"""sandbox.requests(): the request journal through the kit, scoped like every other query."""

from __future__ import annotations

import httpx

from mockserver.testing import JournaledRequest
from tests.testing.vendors import send


def test_requests_show_the_send_and_the_message_it_created(sms_sandbox, sms_account, sms):
    assert send(sms_sandbox.base_url, "cast", sms_account.credentials, "journal kit").status_code == 200
    msg = sms.wait_for(text="journal kit", timeout=5)
    [entry] = sms.requests(path="/sms/send")  # scoped to the account: no other test's sends
    assert isinstance(entry, JournaledRequest)
    assert (entry.provider, entry.method, entry.status, entry.message_ids) == ("cast", "POST", 200, [msg.id])
    assert entry.parsed["message"] == "journal kit" and entry.response["json"]["success"] is True
    assert sms.requests(message_id=msg) == [entry]


def test_a_refused_send_is_found_with_its_answer(sms_sandbox):
    key = "cast_" + "7" * 60 + "c0de"
    refused = httpx.post(f"{sms_sandbox.base_url}/cast/api/v1/sms/send", headers={"X-API-Key": key},
                         json={"to": "09171234567", "message": "x", "sender_id": "CAST"})
    assert refused.status_code == 401
    found = [r for r in sms_sandbox.requests(status="4xx", provider="cast", path="/v1/sms/send")
             if r.headers.get("x-api-key") == "cast…c0de"]
    assert len(found) == 1 and found[0].status == 401 and found[0].response["json"] == refused.json()
    assert key not in found[0].model_dump_json()
