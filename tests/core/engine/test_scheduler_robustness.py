"""The scheduler survives a misbehaving provider, sends DLRs for sends of any size, and a clock
advance drains a webhook backlog larger than one delivery round; reset waits for in-flight work."""

from __future__ import annotations

import asyncio

from mockserver.core import sending
from mockserver.core.notify import StatusChange
from tests.conftest import advance
from tests.core.kit import PROVIDER, TestShaper, install, runtime_of, send


class ExplodingShaper(TestShaper):
    __test__ = False

    def status_webhooks(self, change: StatusChange):
        if change.message.public_id == "boom":
            raise RuntimeError("shaper bug")
        return super().status_webhooks(change)


def test_one_failing_message_does_not_stop_the_others(client, receiver):
    install(client, dlr_url=receiver.url())
    runtime_of(client).register_shaper(PROVIDER, ExplodingShaper())
    send(client, "+639170000001", public_id="boom")
    healthy = send(client, "+639170000002", public_id="fine")
    advance(client, 10)
    assert client.get(f"/_mock/messages/{healthy.id}").json()["status"] == "completed"
    statuses = [b["status"] for b in receiver.bodies() if b["message"] == "fine"]
    assert statuses == ["sent", "delivered"]


def test_dlrs_flow_for_sends_above_the_per_recipient_event_limit(client, receiver, monkeypatch):
    monkeypatch.setattr(sending, "TRACK_EVENTS_LIMIT", 3)
    install(client, dlr_url=receiver.url())
    numbers = [f"+6391700000{i:02d}" for i in range(5)]
    msg = send(client, numbers)
    assert not msg.track_events and msg.notify
    advance(client, 10)
    delivered = sorted(b["to"] for b in receiver.bodies() if b["status"] == "delivered")
    assert delivered == numbers


def test_advance_drains_more_webhooks_than_ten_delivery_rounds(client_factory, receiver):
    client = client_factory(webhook_batch=5)
    install(client, dlr_url=receiver.url())
    send(client, [f"+6391700001{i:02d}" for i in range(30)])  # 60 DLRs = 12 rounds of 5
    advance(client, 10)
    assert len(receiver.bodies()) == 60
    assert client.get("/_mock/webhooks", params={"status": "pending"}).json()["items"] == []


def test_reset_waits_for_an_in_flight_delivery_round(client):
    runtime = runtime_of(client)

    async def scenario() -> list[str]:
        order: list[str] = []
        async with runtime.dispatcher.quiet():  # stands for a delivery round in flight
            task = asyncio.create_task(runtime.reset_quiesced())
            await asyncio.sleep(0.05)
            order.append("reset done" if task.done() else "reset waiting")
        await task
        order.append("reset done")
        return order

    assert asyncio.run(scenario()) == ["reset waiting", "reset done"]
