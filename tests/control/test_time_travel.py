"""POST /_mock/clock/advance is a simulation: every transition, webhook attempt and retry due inside the
window runs, in due-time order, at the sandbox time it was due; the answer says what ran. A served
sandbox (a real port), so its webhooks reach its own misbehaving request bins over HTTP."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from mockserver.testing import AdvanceReport, Sandbox
from mockserver.testing.server import InProcessServer
from tests.conftest import database_url
from tests.providers.cast.kit import V1, h
from tests.vendors import VENDORS

LADDER = [2.0, 4.0, 8.0, 16.0]  # backoff base 2 s: 2, 4, 8, 16 between the 5 attempts (core/delivery/retry.py)


def _serve(tmp_path: Path, **overrides) -> InProcessServer:
    return InProcessServer(**{**dict(database_url=database_url(tmp_path), seed=1234, timing="default",
                                     scheduler_enabled=False, clock_frozen=True), **overrides})


@pytest.fixture
def sandbox(tmp_path: Path, db_backend: str) -> Iterator[httpx.Client]:
    with _serve(tmp_path) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _send_with_dlr_to(client: httpx.Client, bin_name: str) -> str:
    resp = client.post("/_mock/accounts", json={"provider": "cast", "credits": 100,
                                                "dlr_url": f"{client.base_url}/_mock/bins/{bin_name}"})
    assert resp.status_code == 201, resp.text
    key = resp.json()["credentials"]["api_key"]
    resp = client.post(f"{V1}/sms/send", headers=h(key), json={"to": "09171234567", "message": "hello"})
    assert resp.status_code == 200, resp.text
    return resp.json()["message_id"]


def _hooks(client: httpx.Client) -> list[dict]:
    resp = client.get("/_mock/webhooks", params={"provider": "cast", "attempts": "true", "order": "asc"})
    assert resp.status_code == 200, resp.text
    return sorted(resp.json()["items"], key=lambda hook: hook["id"])


def _caught(client: httpx.Client, bin_name: str) -> list[dict]:
    return list(reversed(client.get(f"/_mock/bins/{bin_name}/requests", params={"limit": 100}).json()["items"]))


def _gaps(times: list[float]) -> list[float]:
    return [round(b - a, 3) for a, b in zip(times, times[1:])]


def test_one_hour_runs_the_whole_ladder_against_a_bin_that_always_fails(sandbox: httpx.Client):
    assert sandbox.put("/_mock/bins/down", json={"status": 500}).status_code == 200
    _send_with_dlr_to(sandbox, "down")
    start = sandbox.get("/_mock/clock").json()["now"]
    report = sandbox.post("/_mock/clock/advance", json={"seconds": 3600})
    assert report.status_code == 200, report.text
    body = report.json()
    hooks = _hooks(sandbox)
    assert [(hook["payload"]["status"], hook["status"], hook["attempts"]) for hook in hooks] == [
        ("pending", "failed", 5), ("delivered", "failed", 5)]
    # The report adds up: every attempt was made inside this advance, every transition ran, none left.
    assert body["webhook_attempts"] == 10 and body["still_pending"] == 0 and body["transitions"] == 2
    assert body["now"] == start + 3600 and body["frozen"] is True
    caught = _caught(sandbox, "down")
    assert len(caught) == 10 and all(c["json"]["status"] == "pending" for c in caught[:5])
    # Each attempt reached the bin at the sandbox time it was due: the gaps are the backoff ladder.
    for ladder in (caught[:5], caught[5:]):
        assert _gaps([_epoch(c["at"]) for c in ladder]) == LADDER
    for hook in hooks:
        assert _gaps([_epoch(a["sent_at"]) for a in hook["attempt_log"]]) == LADDER
        assert [a["response_status"] for a in hook["attempt_log"]] == [500] * 5


def test_an_advance_across_the_recovery_point_ends_delivered(sandbox: httpx.Client):
    assert sandbox.put("/_mock/bins/flaky", json={"status": 503, "fail_first": 2}).status_code == 200
    message_id = _send_with_dlr_to(sandbox, "flaky")
    body = sandbox.post("/_mock/clock/advance", json={"seconds": 3600}).json()
    first, second = _hooks(sandbox)
    assert (first["status"], first["attempts"]) == ("delivered", 3)
    assert [a["response_status"] for a in first["attempt_log"]] == [503, 503, 200]
    assert (second["status"], second["attempts"]) == ("delivered", 1)
    assert body["webhook_attempts"] == 4 and body["still_pending"] == 0
    # The payload's timestamps are the sandbox times the message's steps were due, not the retry times.
    status = sandbox.get(f"{V1}/sms/status/{message_id}", headers=h(_key_of(sandbox))).json()
    assert second["payload"]["delivered_at"] == status["delivered_at"]


def _key_of(client: httpx.Client) -> str:
    accounts = client.get("/_mock/accounts", params={"provider": "cast"}).json()
    return next(a["keys"][0]["key"] for a in accounts if a["dlr_url"])


def test_a_retry_after_longer_than_the_window_stays_pending(sandbox: httpx.Client):
    assert sandbox.put("/_mock/bins/busy", json={"status": 429, "retry_after": 600}).status_code == 200
    _send_with_dlr_to(sandbox, "busy")
    body = sandbox.post("/_mock/clock/advance", json={"seconds": 300}).json()
    first, second = _hooks(sandbox)
    assert (first["status"], first["attempts"], second["attempts"]) == ("pending", 1, 0)
    assert body["webhook_attempts"] == 1 and body["still_pending"] == 2
    body = sandbox.post("/_mock/clock/advance", json={"seconds": 600}).json()
    assert _hooks(sandbox)[0]["attempts"] == 2 and body["webhook_attempts"] == 1


def test_the_kit_sets_bin_answers_and_advance_returns_the_report(tmp_path: Path, db_backend: str):
    with _serve(tmp_path, clock_frozen=False) as url, Sandbox(url) as kit:
        down = kit.bin("kit-down")
        assert down.answer(status=500)["answer"]["status"] == 500
        with httpx.Client(base_url=url, timeout=60) as client:
            _send_with_dlr_to(client, "kit-down")
        before = kit.clock()
        report = kit.advance(3600)
        assert isinstance(report, AdvanceReport) and report.frozen is False
        assert (report.webhook_attempts, report.still_pending, report.transitions) == (10, 0, 2)
        # A running clock moved by exactly the hour (time stood still while the walk ran), then runs on.
        assert report.now - before.now >= 3600 and kit.clock().now >= report.now
        assert len(down.requests(limit=100)) == 10
        down.answer()
        assert httpx.post(down.url, json={}).status_code == 200


def test_a_hanging_bin_holds_the_advance_no_longer_than_its_timeouts(tmp_path: Path, db_backend: str):
    with _serve(tmp_path, webhook_timeout=0.5, webhook_settle_wait=5.0) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        # 6x the attempt timeout: every attempt still times out (with a timeout above it they are delivered and
        # this fails); 30 s held only the server's shutdown, waiting on the bin's last sleeping answer.
        assert client.put("/_mock/bins/hang", json={"latency": 3}).status_code == 200
        _send_with_dlr_to(client, "hang")
        body = client.post("/_mock/clock/advance", json={"seconds": 3600}).json()
        first, second = _hooks(client)
        # Each attempt timed out (0.5 s) inside its step, so the whole ladder still ran in the window.
        assert (first["status"], first["attempts"], second["status"], second["attempts"]) == ("failed", 5, "failed", 5)
        assert all(a["error"] and a["response_status"] is None for a in first["attempt_log"])
        assert body["webhook_attempts"] == 10 and body["still_pending"] == 0


def test_the_background_loop_waits_while_an_advance_runs_everything_itself(tmp_path: Path, db_backend: str, receiver):
    """With the background scheduler and dispatcher running (as `serve` runs them), a busy advance still
    runs and counts every attempt itself: left running, the dispatcher's pump took most of them and the
    report said 80 of 2,000 (core/engine/pause.py)."""
    smscpr = VENDORS["smscpr"]
    with _serve(tmp_path, scheduler_enabled=True, rate_limit_enabled=False) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(100):
            sent = client.post(smscpr.url, headers=smscpr.headers,
                               json={**smscpr.body(text="walk"), "callbackUrl": receiver.url("/dlr")})
            assert sent.status_code == 200, sent.text
        body = client.post("/_mock/clock/advance", json={"seconds": 3600}).json()
        assert (body["transitions"], body["webhook_attempts"], body["still_pending"]) == (200, 200, 0), body
        assert len(receiver.bodies("/dlr")) == 200
