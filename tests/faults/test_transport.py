"""Request-side effects a client's transport sees: latency, a hang past its timeout, a dropped connection,
a malformed or truncated body. Hangs and drops need a real connection, so they run on a live server."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.faults.kit import VENDORS, add_fault, credits, fault, messages

#: What a client sees when the server aborts the connection: a reset (ReadError) or, if the close is
#: read first, "server disconnected" (RemoteProtocolError); which one is a race in the kernel.
DROPPED = (httpx.RemoteProtocolError, httpx.ReadError)


@pytest.fixture
def http(live):
    with httpx.Client(base_url=live, timeout=5.0) as client:
        yield client
        client.delete("/_mock/faults")


def send(http, vendor, **kwargs):
    return http.post(f"/{vendor.name}{vendor.path}", json=vendor.body([vendor.pair[0]]),
                     headers=vendor.headers, **kwargs)


def test_fixed_latency_delays_the_answer_which_still_succeeds(client, vendor):
    add_fault(client, provider=vendor.name, path=vendor.path, latency_ms=300)
    start = time.monotonic()
    resp = vendor.send(client, vendor.pair[0])
    assert time.monotonic() - start >= 0.3  # a lower bound only: load can only add to it
    assert resp.status_code == 200, resp.text
    assert len(messages(client, vendor)) == 1


def test_latency_range_is_drawn_within_its_bounds(client, vendor):
    rule = add_fault(client, provider=vendor.name, path=vendor.path, latency_ms=[100, 200])
    start = time.monotonic()
    assert vendor.send(client, vendor.pair[0]).status_code == 200
    assert time.monotonic() - start >= 0.1  # never less than the range's floor (load can only add to it)
    assert fault(client, rule["id"])["hits"] == 1


def test_hang_outlasts_the_client_timeout_and_stores_nothing(http, vendor):
    account = vendor.account_id
    before = credits(http, account)
    stored = len(messages(http, vendor))
    rule = http.post("/_mock/faults", json={"provider": vendor.name, "path": vendor.path, "hang": True,
                                           "hang_s": 5}).json()
    with pytest.raises(httpx.ReadTimeout):  # the client gives up long before hang_s
        send(http, vendor, timeout=0.5)
    assert http.get(f"/_mock/faults/{rule['id']}").json()["hits"] == 1
    assert len(messages(http, vendor)) == stored and credits(http, account) == before


def test_hang_is_bounded_by_hang_s_then_the_connection_drops(http, vendor):
    http.post("/_mock/faults", json={"provider": vendor.name, "path": vendor.path, "hang": True, "hang_s": 0.3})
    start = time.monotonic()
    with pytest.raises(DROPPED):  # dropped after hang_s: a client patient for 20 s sees the drop, not a timeout
        send(http, vendor, timeout=20)
    assert time.monotonic() - start >= 0.3


def test_dropped_connection_gets_no_answer_and_stores_nothing(http, vendor):
    stored = len(messages(http, vendor))
    http.post("/_mock/faults", json={"provider": vendor.name, "path": vendor.path, "drop_connection": True,
                                     "times": 1})
    with pytest.raises(DROPPED):
        send(http, vendor)
    assert len(messages(http, vendor)) == stored
    assert send(http, vendor).status_code == 200  # times: 1 - the retry goes through


def test_truncated_body_drops_mid_answer_after_the_send_was_taken(http, vendor):
    stored = len(messages(http, vendor))
    http.post("/_mock/faults", json={"provider": vendor.name, "path": vendor.path, "malformed": "truncated"})
    with pytest.raises(DROPPED):
        send(http, vendor)
    assert len(messages(http, vendor)) == stored + 1  # the vendor accepted it; only the answer broke


def test_malformed_json_keeps_status_and_cuts_the_body(client, vendor):
    add_fault(client, provider=vendor.name, path=vendor.path, malformed="invalid_json")
    resp = vendor.send(client, vendor.pair[0])
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    assert int(resp.headers["content-length"]) == len(resp.content) > 0
    with pytest.raises(ValueError):
        resp.json()
    assert len(messages(client, vendor)) == 1


def test_drop_on_an_in_process_client_is_a_transport_error(client):
    vendor = VENDORS["cast"]
    add_fault(client, provider="cast", drop_connection=True)
    resp = vendor.send(client, VENDORS["cast"].pair[0])
    assert resp.status_code == 500  # TestClient has no socket to close; the server error stands for it
    assert messages(client, vendor) == []
