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
