"""Health, clock and reset through HTTP."""

from tests.conftest import advance


def test_health_answers_version(client):
    resp = client.get("/_mock/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    assert body["version"] == "0.1.0"


def test_clock_advance_moves_time(client):
    before = client.get("/_mock/clock").json()["now"]
    after = advance(client, 3600)["now"]
    assert after - before >= 3600


def test_clock_freeze_and_resume(client):
    frozen = client.post("/_mock/clock/freeze").json()
    assert frozen["frozen"] is True
    assert client.get("/_mock/clock").json()["now"] == frozen["now"]
    assert advance(client, 10)["now"] == frozen["now"] + 10
    assert client.post("/_mock/clock/resume").json()["frozen"] is False


def test_clock_rejects_negative_advance(client):
    assert client.post("/_mock/clock/advance", json={"seconds": -1}).status_code == 422


def test_reset_answers(client):
    assert client.post("/_mock/reset").json() == {"reset": True, "provider": None, "account_id": None}


def test_index_lists_control_links(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert "/_mock/docs" in resp.text


def test_health_answers_from_memory_while_the_background_loop_runs(client_factory, monkeypatch):
    """Once a background tick has read the webhook figures, health runs no SQL (it must stay fast while
    a 2M-number send holds the store and the GIL busy); without that loop it reads the store itself."""
    from mockserver.core.store import webhooks as outbox
    from tests.core.delivery.conftest import wait_for

    client = client_factory(scheduler_enabled=True, scheduler_interval=0.05)
    gauges = client.app.state.runtime.scheduler.gauges
    wait_for(lambda: gauges.latest() is not None)

    def no_sql(*_args, **_kwargs):
        raise AssertionError("health ran SQL")

    monkeypatch.setattr(outbox, "depth", no_sql)
    monkeypatch.setattr(outbox, "oldest_due", no_sql)
    gauges.refresh = lambda: None  # the loop keeps ticking; its reads would now fail too
    body = client.get("/_mock/health").json()
    assert (body["status"], body["webhook_queue_depth"], body["webhook_lag_s"]) == ("ok", 0, 0.0)
    gauges.forget()  # as when the loop stops: health reads the store, and here that fails loudly
    assert client.get("/_mock/health").status_code == 500
