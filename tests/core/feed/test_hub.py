"""The event feed behind /_mock/stream: numbering, resume window, scope filter, wake-ups across threads."""

from __future__ import annotations

import asyncio
import threading

from mockserver.core.feed.hub import Feed
from tests.conftest import database_url


def test_events_are_numbered_in_order_and_resumable():
    feed = Feed(capacity=3)
    for n in range(5):
        feed.publish("message.created", id=n, provider="cast")
    assert feed.last_id == 5
    assert [e.id for e in feed.since(3)] == [4, 5]
    assert feed.since(5) == []
    assert [e.id for e in feed.since(2)] == [3, 4, 5]
    assert feed.since(1) is None  # event 2 fell out of the window: the reader must resync


def test_scope_filter_keeps_global_events():
    feed = Feed()
    cast = feed.publish("message.created", provider="cast", account_id="a1")
    other = feed.publish("message.created", provider="mesms", account_id="b1")
    everything = feed.publish("reset", provider=None, account_id=None)
    assert cast.matches(provider="cast") and not other.matches(provider="cast")
    assert cast.matches(account_id="a1") and not cast.matches(account_id="zz")
    assert everything.matches(provider="cast", account_id="a1")


async def test_publish_from_a_thread_wakes_a_listener():
    feed = Feed()
    with feed.listen() as flag:
        threading.Thread(target=feed.publish, args=("inbound",), kwargs={"id": 1}).start()
        await asyncio.wait_for(flag.wait(), timeout=2)
    assert [e.kind for e in feed.since(0)] == ["inbound"]


def test_reset_is_published(tmp_path, db_backend):
    from mockserver.core.runtime import Runtime
    from mockserver.settings import Settings

    # In-process feed (shared_state off): the relay between replicas is tested in tests/replicas.
    runtime = Runtime(Settings(database_url=database_url(tmp_path, "db.sqlite"), load_fixtures=False,
                               shared_state="off"))
    runtime.reset(provider="cast")
    [event] = runtime.feed.since(0)
    assert (event.kind, event.data) == ("reset", {"provider": "cast", "account_id": None})
    runtime.db.close()
