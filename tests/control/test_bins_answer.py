"""Bins that misbehave on purpose (PUT /_mock/bins/{name}, or query parameters on the bin URL), and the caps
that keep one client from filling the disk through bins (MOCKSERVER_BIN_MAX_BINS / _REQUESTS / _BODY)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.control.test_bins import bin_client, bin_factory, requests_of  # noqa: F401  (fixtures)


def test_a_bin_answers_the_status_retry_after_and_body_it_was_set_to(bin_client: TestClient):
    resp = bin_client.put("/_mock/bins/down", json={"status": 429, "retry_after": 30, "body": "slow down"})
    assert resp.status_code == 200
    assert resp.json() == {"bin": "down", "answer": {"status": 429, "retry_after": 30, "latency": 0.0,
                                                     "body": "slow down", "fail_first": 0}}
    for _ in range(2):
        hit = bin_client.post("/_mock/bins/down", json={"n": 1})
        assert (hit.status_code, hit.headers["retry-after"], hit.text) == (429, "30", "slow down")
        assert hit.headers["content-type"].startswith("text/plain")
    assert len(requests_of(bin_client, "down")["items"]) == 2  # still caught
    listed = bin_client.get("/_mock/bins").json()
    assert listed[0]["bin"] == "down" and listed[0]["answer"]["status"] == 429
    assert bin_client.put("/_mock/bins/down", json={}).status_code == 200  # back to the usual
    hit = bin_client.post("/_mock/bins/down", json={})
    assert hit.status_code == 200 and hit.json()["ok"] is True and "retry-after" not in hit.headers


def test_fail_first_fails_that_many_requests_then_recovers(bin_client: TestClient):
    bin_client.put("/_mock/bins/flaky", json={"status": 500, "fail_first": 2})
    statuses = [bin_client.post("/_mock/bins/flaky", json={}).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert bin_client.delete("/_mock/bins/flaky/requests").status_code == 200  # emptied: the count restarts
    assert bin_client.post("/_mock/bins/flaky/x", json={}).status_code == 500


def test_query_parameters_on_the_bin_url_misbehave_for_that_request(bin_client: TestClient):
    hit = bin_client.post("/_mock/bins/q?status=503&retry_after=7&body=%7B%22e%22%3A1%7D", json={})
    assert (hit.status_code, hit.headers["retry-after"], hit.json()) == (503, "7", {"e": 1})
    assert bin_client.post("/_mock/bins/q").status_code == 200
    assert [bin_client.post("/_mock/bins/q2?status=500&fail_first=1").status_code for _ in range(2)] == [500, 200]
    assert bin_client.get("/_mock/bins/q3?status=204").status_code == 204


def test_bad_settings_get_422_and_store_nothing(bin_client: TestClient):
    for body in ({"status": 99}, {"status": 600}, {"latency": -1}, {"latency": 61}, {"fail_first": -1},
                 {"retry_after": "soon"}, {"colour": "red"}):
        resp = bin_client.put("/_mock/bins/bad", json=body)
        assert resp.status_code == 422, body
        assert isinstance(resp.json()["detail"], list)
    resp = bin_client.post("/_mock/bins/bad?status=abc", json={})
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["query", "status"]
    assert requests_of(bin_client, "bad")["items"] == []
    assert bin_client.post("/_mock/bins/bad", json={}).status_code == 200


def test_reset_forgets_how_bins_answer(bin_client: TestClient):
    bin_client.put("/_mock/bins/down", json={"status": 500})
    assert bin_client.post("/_mock/reset").status_code == 200
    assert bin_client.post("/_mock/bins/down", json={}).status_code == 200


def test_the_number_of_bins_is_capped(bin_factory):
    client = bin_factory(bin_max_bins=2)
    assert client.post("/_mock/bins/a", json={}).status_code == 200
    assert client.post("/_mock/bins/b", json={}).status_code == 200
    refused = client.post("/_mock/bins/c", json={"big": "x" * 1000})
    assert refused.status_code == 507 and "MOCKSERVER_BIN_MAX_BINS=2" in refused.json()["detail"]
    assert client.post("/_mock/bins/a", json={}).status_code == 200  # a bin that exists still catches
    assert [b["bin"] for b in client.get("/_mock/bins").json()] == ["a", "b"]
    client.delete("/_mock/bins/b/requests")
    assert client.post("/_mock/bins/c", json={}).status_code == 200


def test_default_caps_bound_what_one_client_can_store(bin_client: TestClient):
    big = b"x" * (512 * 1024)
    hit = bin_client.post("/_mock/bins/big", content=big)
    assert hit.status_code == 200
    [item] = requests_of(bin_client, "big")["items"]
    assert item["size"] == len(big) and item["truncated"] is True and len(item["body"]) == 64 * 1024
