"""/_mock/bins: any request recorded and answered 200, listed newest first with a cursor, bounded, reset."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mockserver.settings import Settings
from tests.conftest import Sandboxes, database_url


@pytest.fixture
def bin_factory(tmp_path: Path, db_backend: str, sandboxes: Sandboxes):
    return lambda **overrides: sandboxes.start(Settings(database_url=database_url(tmp_path, "bins.db"), seed=7,
                                                        scheduler_enabled=False, clock_frozen=True, **overrides))


@pytest.fixture
def bin_client(bin_factory) -> TestClient:
    return bin_factory()


def requests_of(client: TestClient, name: str, **params) -> dict:
    resp = client.get(f"/_mock/bins/{name}/requests", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_any_method_is_recorded_with_everything_a_receiver_sees(bin_client: TestClient):
    assert bin_client.post("/_mock/clock/advance", json={"seconds": 86400}).status_code == 200
    resp = bin_client.post("/_mock/bins/dlr/status?x=1&y=2", json={"status": "DELIVERED"},
                           headers={"X-Signature": "abc"})
    assert resp.status_code == 200 and resp.json() == {"ok": True, "bin": "dlr", "id": resp.json()["id"]}
    for method in ("GET", "PATCH", "DELETE", "OPTIONS", "HEAD"):
        assert bin_client.request(method, "/_mock/bins/dlr").status_code == 200, method
    assert bin_client.put("/_mock/bins/dlr/below", content=b"x").status_code == 200  # PUT on the bin sets its answer
    items = requests_of(bin_client, "dlr")["items"]
    assert [i["method"] for i in items] == ["PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "GET", "POST"]
    post = items[-1]
    assert post["path"] == "/_mock/bins/dlr/status" and post["query"] == "x=1&y=2"
    assert post["headers"]["x-signature"] == "abc" and post["headers"]["content-type"] == "application/json"
    assert post["json"] == {"status": "DELIVERED"} and post["body"] == '{"status":"DELIVERED"}'
    assert post["size"] == len(post["body"]) and post["truncated"] is False
    # `at` is the sandbox clock (a day ahead now), `received_at` the wall clock.
    assert post["at"] == bin_client.get("/_mock/clock").json()["iso"]
    assert post["received_at"] < post["at"]


def test_binary_bodies_come_back_base64(bin_client: TestClient):
    bin_client.post("/_mock/bins/raw", content=b"\xff\x00\xfe")
    item = requests_of(bin_client, "raw")["items"][0]
    assert item["body_encoding"] == "base64" and item["body"] == "/wD+" and item["json"] is None


def test_newest_first_with_a_cursor_and_bins_are_separate(bin_client: TestClient):
    for n in range(5):
        bin_client.post("/_mock/bins/paged", json={"n": n})
    bin_client.post("/_mock/bins/other", json={"n": 99})
    first = requests_of(bin_client, "paged", limit=2)
    assert [i["json"]["n"] for i in first["items"]] == [4, 3] and first["next_cursor"]
    second = requests_of(bin_client, "paged", limit=2, cursor=first["next_cursor"])
    third = requests_of(bin_client, "paged", limit=2, cursor=second["next_cursor"])
    assert [i["json"]["n"] for i in second["items"]] == [2, 1]
    assert [i["json"]["n"] for i in third["items"]] == [0] and third["next_cursor"] is None
    assert requests_of(bin_client, "never-used") == {"items": [], "next_cursor": None}
    listed = {b["bin"]: b["count"] for b in bin_client.get("/_mock/bins").json()}
    assert listed == {"paged": 5, "other": 1}


def test_reset_empties_every_bin_and_delete_empties_one(bin_client: TestClient):
    bin_client.post("/_mock/bins/a", json={})
    bin_client.post("/_mock/bins/b", json={})
    assert bin_client.delete("/_mock/bins/a/requests").json() == {"bin": "a", "removed": 1}
    assert requests_of(bin_client, "a")["items"] == [] and len(requests_of(bin_client, "b")["items"]) == 1
    assert bin_client.post("/_mock/reset").status_code == 200
    assert requests_of(bin_client, "b")["items"] == [] and bin_client.get("/_mock/bins").json() == []


def test_storage_is_bounded_per_bin(bin_factory):
    bin_client = bin_factory(bin_max_requests=3, bin_max_body=4)
    for n in range(5):
        bin_client.post("/_mock/bins/small", content=f"body{n}-long")
    items = requests_of(bin_client, "small")["items"]
    assert len(items) == 3 and [i["body"] for i in items] == ["body", "body", "body"]
    assert all(i["truncated"] and i["size"] == 10 for i in items)


def test_bad_bin_names_are_refused(bin_client: TestClient):
    resp = bin_client.post("/_mock/bins/" + "x" * 65, json={})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["path", "name"]
    assert bin_client.get("/_mock/bins/bad%20name/requests").status_code == 422
