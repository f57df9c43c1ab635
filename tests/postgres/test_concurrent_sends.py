"""Credits are never overdrawn when sends to one account arrive at several sandboxes sharing one
PostgreSQL database: three `mockserver serve` processes, and separate in-process sandboxes on threads."""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.e2e.server import clean_env, free_port, mockserver_exe, read_output, wait_healthy

SEND = "/cast/api/v1/sms/send"


def _key(base: str, credits: int) -> str:
    resp = httpx.post(f"{base}/_mock/accounts", json={"provider": "cast", "credits": credits}, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()["credentials"]["api_key"]


def _fire(post, n: int) -> Counter:
    barrier = threading.Barrier(12)

    def one(i: int) -> int:
        if i < 12:
            barrier.wait()
        return post(i)
    with ThreadPoolExecutor(max_workers=12) as pool:
        return Counter(pool.map(one, range(n)))


def test_three_processes_never_overdraw_one_account(pg_url, tmp_path):
    procs, bases = [], []
    try:
        for _ in range(3):
            port = free_port()
            env = clean_env({"MOCKSERVER_DATABASE_URL": pg_url, "MOCKSERVER_PORT": str(port),
                             "MOCKSERVER_RATE_LIMIT_ENABLED": "false", "MOCKSERVER_SEED": "3"})
            procs.append(subprocess.Popen([mockserver_exe(), "serve"], env=env, cwd=tmp_path,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs):
            wait_healthy(base, proc, timeout=60)
        key = _key(bases[0], credits=10)
        with httpx.Client(timeout=30) as http:
            codes = _fire(lambda i: http.post(bases[i % 3] + SEND, headers={"X-API-Key": key},
                                              json={"to": f"0917{i:07d}", "message": "race"}).status_code, 45)
            assert codes == {200: 10, 402: 35}
            for base in bases:  # every replica sees the same account
                balance = http.get(f"{base}/cast/api/v1/account/balance", headers={"X-API-Key": key})
                assert balance.json()["credits"] == 0
            logs = http.get(f"{bases[2]}/cast/api/v1/sms/logs", headers={"X-API-Key": key}).json()
            assert logs["count"] == 10
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                print(read_output(proc))


def test_separate_sandboxes_on_threads_never_overdraw(pg_url):
    settings = Settings(database_url=pg_url, seed=9, scheduler_enabled=False, rate_limit_enabled=False)
    clients = [TestClient(create_app(settings)) for _ in range(3)]
    for c in clients:
        c.__enter__()
    try:
        created = clients[0].post("/_mock/accounts", json={"provider": "cast", "credits": 7})
        key = created.json()["credentials"]["api_key"]
        codes = _fire(lambda i: clients[i % 3].post(SEND, headers={"X-API-Key": key},
                                                    json={"to": f"0918{i:07d}", "message": "race"}).status_code, 36)
        assert codes == {200: 7, 402: 29}
        assert clients[1].get("/cast/api/v1/account/balance",
                              headers={"X-API-Key": key}).json()["credits"] == 0
    finally:
        for c in clients:
            c.__exit__(None, None, None)
