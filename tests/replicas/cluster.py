"""Several real `python -m mockserver serve` replicas on one database, a local DLR receiver, and a
load spreader: shared by tests/replicas/test_replicas.py and bench/replicas.py.

The database is MOCKSERVER_TEST_DATABASE_URL when set (PostgreSQL), else a SQLite file (several
processes on one WAL file: the development vehicle for replicas until PostgreSQL lands).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx

from tests import receivers

#: Fast lifecycle and delivery, no rate limits (one client IP sends everything), leases short enough
#: that a killed replica's in-flight webhooks go out again within seconds.
FAST = {"MOCKSERVER_SHARED_STATE": "on", "MOCKSERVER_QUEUE_DELAY": "0.2", "MOCKSERVER_DELIVERY_DELAY": "0.5",
        "MOCKSERVER_SCHEDULER_INTERVAL": "0.1", "MOCKSERVER_WEBHOOK_LEASE": "3", "MOCKSERVER_WEBHOOK_TIMEOUT": "2",
        "MOCKSERVER_WEBHOOK_SETTLE_WAIT": "0", "MOCKSERVER_RATE_LIMIT_ENABLED": "false",
        "MOCKSERVER_AUTO_PROVISION": "false",
        # One process per replica: these tests are about replicas (three processes on one database); the
        # default's API + engine pair per replica would double the processes and PostgreSQL connections.
        "MOCKSERVER_WORKERS": "1"}


class Receiver(receivers.Receiver):
    """The shared receiver (tests/receivers.py) with its DLR URL as an attribute, as bench/replicas.py reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.url = receivers.Receiver.url(self, "/dlr")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(tmp: Path) -> str:
    return os.environ.get("MOCKSERVER_TEST_DATABASE_URL") or f"sqlite:///{tmp}/replicas.db"


@dataclass
class Replica:
    port: int
    proc: subprocess.Popen
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; whatever it held in flight is the others' to recover."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_replica(db_url: str, extra: dict[str, str] | None = None) -> Replica:
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}, **FAST,
           "MOCKSERVER_DATABASE_URL": db_url, **(extra or {})}
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    replica = Replica(port, proc)
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=1) as client:  # one client: httpx.get builds an SSL context per call
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"replica on port {port} exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{replica.base}/_mock/health").status_code == 200:
                    return replica
            time.sleep(0.02)
    replica.stop()
    raise AssertionError(f"replica on port {port} never became healthy")


@contextlib.contextmanager
def cluster(db_url: str, n: int, extra: dict[str, str] | None = None) -> Iterator[list[Replica]]:
    """`n` replicas on one database, started one after the other (the first creates the schema)."""
    replicas: list[Replica] = []
    try:
        for _ in range(n):
            replicas.append(start_replica(db_url, extra))
        yield replicas
    finally:
        for replica in replicas:
            replica.stop()


# -- accounts and sends -------------------------------------------------------------------------
@dataclass
class Sender:
    """One account a send goes to: how to call it, and what to send."""

    provider: str
    account_id: str
    path: str
    headers: dict[str, str]
    body: dict


def new_sender(base: str, provider: str, credits: int, dlr_url: str) -> Sender:
    """An account made through the control API, with its DLRs going to `dlr_url`."""
    resp = httpx.post(f"{base}/_mock/accounts", json={"provider": provider, "credits": credits, "dlr_url": dlr_url},
                      timeout=30)
    assert resp.status_code == 201, resp.text
    acc = resp.json()
    cred = acc["credentials"]
    if provider == "cast":
        return Sender(provider, acc["id"], "/cast/api/v1/sms/send", {"X-API-Key": cred["api_key"]},
                      {"to": "09171234567", "message": "replica test", "sender_id": "CAST"})
    if provider == "smscpr":
        return Sender(provider, acc["id"], "/smscpr/v1/sendsms", {"Authorization": cred["authorization"]},
                      {"servicePlanId": cred["servicePlanId"], "channel": "SMS", "from": "+15550001111",
                       "to": "+15550002222", "body": "replica test"})
    raise ValueError(provider)


@dataclass
class SendResult:
    sender: Sender
    status: int  # 0: no answer (connection refused or reset: the replica was killed)


async def spread(bases: list[str], jobs: list[Sender], concurrency: int,
                 on_progress: callable = None) -> list[SendResult]:
    """Send every job, round-robin over `bases`, `concurrency` in flight; a dead replica's share fails
    fast (connection refused) and is not retried: an unanswered send is not an accepted one."""
    gate = asyncio.Semaphore(concurrency)
    done = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        async def one(i: int, job: Sender) -> SendResult:
            nonlocal done
            async with gate:
                try:
                    resp = await client.post(bases[i % len(bases)] + job.path, headers=job.headers, json=job.body)
                    status = resp.status_code
                except httpx.HTTPError:
                    status = 0
                done += 1
                if on_progress is not None:
                    on_progress(done)
                return SendResult(job, status)
        return await asyncio.gather(*(one(i, job) for i, job in enumerate(jobs)))


# -- reading the outcome through the control API (any replica; backend-neutral) -------------------
def pages(base: str, path: str, **params) -> Iterator[dict]:
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        resp = httpx.get(f"{base}{path}", params=query, timeout=60)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return


def balance(base: str, account_id: str) -> int:
    resp = httpx.get(f"{base}/_mock/accounts/{account_id}", timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["credits"]


def wait_until(predicate, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def unsettled(base: str) -> tuple[int, int]:
    """(messages not yet in a final state, webhooks not yet delivered)."""
    open_msgs = sum(1 for _ in pages(base, "/_mock/messages", message_status="scheduled,queued"))
    open_hooks = sum(1 for _ in pages(base, "/_mock/webhooks", status="pending"))
    return open_msgs, open_hooks


def duplicates(receiver: Receiver) -> int:
    return sum(len(bodies) - 1 for bodies in receiver.by_delivery_id().values())


def json_body(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text
