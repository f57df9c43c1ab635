"""The kit over an httpx client of your own: a Starlette TestClient of the app (no port at all), and
wait_healthy() through a scripted transport (refused, then 503, then up) and against nothing."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import Sandbox, SandboxError
from tests.conftest import database_url


def test_a_testclient_of_the_app_works_as_the_connection(tmp_path, db_backend):
    settings = Settings(database_url=database_url(tmp_path, "kit.db"), timing="instant", scheduler_enabled=True,
                        seed=7, load_fixtures=True)
    with TestClient(create_app(settings)) as client:
        sms = Sandbox(str(client.base_url), http=client)
        account = sms.account("cast")
        sent = client.post("/cast/api/sms/send", headers={"X-API-Key": account.credentials["api_key"]},
                           json={"to": "09171234567", "message": "Your code is 246810", "sender_id": "CAST"})
        assert sent.status_code == 200, sent.text
        scoped = sms.scoped(account_id=account.id)
        assert scoped.otp(to="639171234567", timeout=5) == "246810"
        msg = scoped.wait_for(status="delivered", timeout=5)
        assert (msg.account_id, msg.counts) == (account.id, {"delivered": 1})
        assert sent.json()["message_id"].startswith(msg.public_id)  # Cast's id: the message's, then the part
        sms.close()  # not ours: the TestClient stays open
        assert client.get("/_mock/health").status_code == 200


def test_wait_healthy_rides_out_a_server_that_is_still_starting():
    answers = ["refused", "refused", 503, 200]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        answer = answers.pop(0)
        if answer == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(answer, json={"status": "ok", "version": "x"} if answer == 200 else {"detail": "starting"})

    http = httpx.Client(base_url="http://sandbox:8000", transport=httpx.MockTransport(handler))
    sms = Sandbox("http://sandbox:8000", http=http)
    assert sms.wait_healthy(timeout=5) == {"status": "ok", "version": "x"}
    assert seen == ["/_mock/health"] * 4 and answers == []


def test_wait_healthy_says_what_it_last_got():
    http = httpx.Client(base_url="http://sandbox:8000",
                        transport=httpx.MockTransport(lambda r: httpx.Response(503, json={"detail": "starting"})))
    started = time.monotonic()
    with pytest.raises(SandboxError) as caught:
        Sandbox("http://sandbox:8000", http=http).wait_healthy(timeout=0.3)
    assert time.monotonic() - started >= 0.3  # it waited its whole timeout (load can only add to it)
    assert str(caught.value) == ("the SMS sandbox at http://sandbox:8000 did not answer /_mock/health within 0.3 s "
                                 "(last: HTTP 503: {'detail': 'starting'})")


def test_other_calls_still_raise_connection_errors():
    with Sandbox("http://127.0.0.1:9") as sms:  # discard port: nothing listens
        with pytest.raises(httpx.ConnectError):
            sms.health()


def test_the_in_process_server_answers_small_requests_without_nagle_stalls(sms_sandbox):
    """Its socket is made by the kit; without TCP_NODELAY every small answer waited ~40 ms for a
    delayed ACK (median 44 ms here, 1.5 ms for `mockserver serve`). The bound sits well below that."""
    durations = []
    with httpx.Client(base_url=sms_sandbox.base_url) as http:
        for _ in range(21):
            started = time.perf_counter()
            assert http.get("/_mock/health").status_code == 200
            durations.append(time.perf_counter() - started)
    assert sorted(durations)[10] < 0.02
