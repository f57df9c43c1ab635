"""The test kit's `fault(...)` context manager (sync and async), and where a touched message shows it:
`faults` in the control API's message view and a badge in the web inbox's list and detail."""

from __future__ import annotations

import httpx

from mockserver.testing import AsyncSandbox, Sandbox
from tests.faults.kit import VENDORS

CAST, MESMS = VENDORS["cast"], VENDORS["mesms"]


def test_sync_fault_holds_inside_the_block_only(client):
    sandbox = Sandbox("http://testserver", http=client, provider="cast")
    with sandbox.fault(path=CAST.path, status=503, times=1) as rule:
        assert CAST.send(client, VENDORS["cast"].pair[0]).status_code == 503
        assert CAST.send(client, VENDORS["cast"].pair[0]).status_code == 200
        assert sandbox.get_fault(rule).hits == 1
    assert client.get("/_mock/faults").json()["items"] == []


def test_sync_fault_is_removed_when_the_block_raises(client):
    sandbox = Sandbox("http://testserver", http=client)
    try:
        with sandbox.fault(provider="cast", status=500):
            raise RuntimeError("the test failed inside the block")
    except RuntimeError:
        pass
    assert client.get("/_mock/faults").json()["items"] == []


async def test_async_fault_context_manager(live):
    async with httpx.AsyncClient(base_url=live) as http:
        sandbox = AsyncSandbox(live, http=http)
        async with sandbox.fault(provider="mesms", path=MESMS.path, error="RATE_LIMITED") as rule:
            resp = await http.post(f"/mesms{MESMS.path}", json=MESMS.body([VENDORS["mesms"].pair[0]]), headers=MESMS.headers)
            assert resp.status_code == 429 and resp.headers["Retry-After"] == "1"
            assert resp.json() == {"error": "Rate limit exceeded", "code": "RATE_LIMITED"}
            assert (await sandbox.get_fault(rule)).hits == 1
        assert (await http.get("/_mock/faults")).json()["items"] == []


def test_touched_messages_show_the_rule_in_the_api_and_the_inbox(client):
    client.post("/_mock/faults", json={"name": "slow-sevens", "provider": "mesms", "to": "*7",
                                       "dlr_status": "undelivered"})
    assert MESMS.send(client, list(VENDORS["mesms"].pair)).status_code == 200  # one of the two ends in 7
    assert MESMS.send(client, [VENDORS["mesms"].pair[0]]).status_code == 200  # none does
    touched, spared = client.get("/_mock/messages", params={"provider": "mesms"}).json()["items"][::-1]
    assert touched["faults"] == ["slow-sevens"] and spared["faults"] == []
    assert client.get(f"/_mock/messages/{touched['id']}").json()["faults"] == ["slow-sevens"]
    page = client.get("/").text
    assert page.count('data-faults="slow-sevens"') == 1
    detail = client.get(f"/inbox/messages/{touched['id']}").text
    assert 'data-faults="slow-sevens"' in detail
    assert 'data-faults' not in client.get(f"/inbox/messages/{spared['id']}").text


def test_latency_rule_marks_the_message_it_slowed(client):
    client.post("/_mock/faults", json={"name": "lag", "provider": "cast", "latency_ms": 1})
    assert CAST.send(client, VENDORS["cast"].pair[0]).status_code == 200
    [msg] = client.get("/_mock/messages", params={"provider": "cast"}).json()["items"]
    assert msg["faults"] == ["lag"]
