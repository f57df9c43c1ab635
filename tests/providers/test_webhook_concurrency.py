"""MOCKSERVER_WEBHOOK_CONCURRENCY bounds how many callbacks are in flight at once, seen from a real (slow)
receiver: Cast status callbacks of many messages, each message its own ordering key."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.cast import kit


@pytest.mark.parametrize("limit", [1, 3])
def test_webhooks_in_flight_never_exceed_the_concurrency_setting(client_factory, receiver, limit):
    client = client_factory(webhook_concurrency=limit)
    key = kit.new_account(client, dlr_url=receiver.url("/dlr"))
    receiver.delay = 0.05
    for i in range(8):
        resp = kit.send(client, {"to": f"0917123{i:04d}", "message": "hi", "sender_id": "CAST"}, key=key)
        assert resp.status_code == 200, resp.text
    advance(client, 5)
    assert len(receiver.bodies("/dlr")) >= 8  # every message reported at least once
    assert receiver.max_in_flight == limit  # saturated, never above
