"""A restart on the same database loses no message and no pending transition."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import advance, make_settings
from tests.core.kit import TestShaper, install, send


def test_restart_keeps_messages_and_their_pending_steps(tmp_path, receiver):
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings)) as first:
        install(first, dlr_url=receiver.url("/dlr"))
        now = first.app.state.runtime.clock.now()
        later = send(first, "+639170000001", scheduled_at=now + 600)
        halfway = send(first, ["+639170000002", "+639170999003"])
        advance(first, 2)  # halfway is now 'sent', later is still scheduled
        assert first.get(f"/_mock/messages/{halfway.id}").json()["counts"] == {"sent": 2}
    with TestClient(create_app(settings)) as second:
        second.app.state.runtime.register_shaper("testprov", TestShaper())
        listed = second.get("/_mock/messages", params={"order": "asc"}).json()["items"]
        assert [m["id"] for m in listed] == [later.id, halfway.id]
        advance(second, 700)
        assert second.get(f"/_mock/messages/{halfway.id}").json()["counts"] == {"delivered": 1, "expired": 1}
        done = second.get(f"/_mock/messages/{later.id}").json()
        assert (done["status"], done["counts"]) == ("completed", {"delivered": 1})
    got = sorted((b["to"], b["status"]) for b in receiver.bodies("/dlr"))
    assert got == sorted([("+639170000002", "sent"), ("+639170999003", "sent"), ("+639170000002", "delivered"),
                          ("+639170999003", "expired"), ("+639170000001", "queued"), ("+639170000001", "sent"),
                          ("+639170000001", "delivered")])
