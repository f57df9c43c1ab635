"""Credits never go negative under concurrent sends: a real uvicorn server on 127.0.0.1 (random free
port, in a thread) and parallel clients from a thread pool, with a balance that covers only some."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import httpx
import pytest
import uvicorn

from mockserver.app import create_app
from tests.conftest import make_settings
from tests.providers.cast import kit


@pytest.fixture
def server(tmp_path, db_backend) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(make_settings(tmp_path, rate_limit_enabled=False))
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", loop="asyncio", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _account(http: httpx.Client, credits: int) -> str:
    resp = http.post("/_mock/accounts", json={"provider": "cast", "credits": credits})
    assert resp.status_code == 201, resp.text
    return resp.json()["credentials"]["api_key"]


def _fire(http: httpx.Client, n: int, request) -> list[httpx.Response]:
    barrier = threading.Barrier(min(n, 16))

    def one(i: int) -> httpx.Response:
        if i < 16:
            barrier.wait()  # start the first wave together
        return request(i)
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(one, range(n)))


def test_parallel_single_sends(server):
    with httpx.Client(base_url=server, timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        key = _account(http, credits=7)
        results = _fire(http, 40, lambda i: http.post("/cast/api/v1/sms/send", headers=kit.h(key),
                                                      json={"to": f"0917{i:07d}", "message": "race"}))
        codes = Counter(r.status_code for r in results)
        assert codes == {200: 7, 402: 33}
        assert {r.json()["error"] for r in results if r.status_code == 402} == {"insufficient credits: need 1, have 0"}
        assert len({r.json()["message_id"] for r in results if r.status_code == 200}) == 7
        assert http.get("/cast/api/v1/account/balance", headers=kit.h(key)).json()["credits"] == 0
        assert http.get("/cast/api/v1/sms/logs", headers=kit.h(key)).json()["count"] == 7


def test_parallel_bulk_sends(server):
    with httpx.Client(base_url=server, timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        key = _account(http, credits=10)
        body = {"to": ["09171234567", "09181234567", "09191234567"], "message": "race"}
        results = _fire(http, 12, lambda i: http.post("/cast/api/sms/bulk", headers=kit.h(key), json=body))
        assert Counter(r.status_code for r in results) == {200: 3, 402: 9}
        assert {r.json()["error"] for r in results if r.status_code == 402} == {"insufficient credits: need 3, have 1"}
        assert http.get("/cast/api/v1/account/balance", headers=kit.h(key)).json()["credits"] == 1
        assert http.get("/cast/api/v1/sms/logs", headers=kit.h(key)).json()["count"] == 9


def test_parallel_requests_with_one_idempotency_key(server):
    with httpx.Client(base_url=server, timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        key = _account(http, credits=100)
        headers = kit.h(key, **{"X-Idempotency-Key": "once"})
        results = _fire(http, 16, lambda i: http.post("/cast/api/v1/sms/send", headers=headers,
                                                      json={"to": "09171234567", "message": "once"}))
        assert {r.status_code for r in results} == {200}
        assert len({r.json()["message_id"] for r in results}) == 1
        assert sum(r.headers.get("X-Idempotent-Replay") == "true" for r in results) == 15
        assert http.get("/cast/api/v1/account/balance", headers=kit.h(key)).json()["credits"] == 99
