"""The pytest plugin (entry point `pytest11: mockserver`): `sms_sandbox` (session), `sms_account` and
`sms` (per test, one fresh account and a client scoped to it), `sms_bin` (a request bin of this test's
own), `sms_frozen_clock` and the `sms_frozen` marker. Nothing here resets the server: tests are isolated by account, so `pytest -n auto` is safe."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any, Iterator

import pytest

from mockserver.testing.base import RequestBin
from mockserver.testing.client import Sandbox
from mockserver.testing.errors import NotFoundError
from mockserver.testing.models import Account
from mockserver.testing.server import InProcessServer

DEFAULT_PROVIDER = "cast"
#: Whether this session's sandbox is shared (a URL was given) rather than private to this process.
SHARED = pytest.StashKey[bool]()


class SharedClockWarning(pytest.PytestWarning):
    """A test stopped or moved the clock of a server other workers use too."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "SMS provider sandbox (mockserver test kit)")
    group.addoption("--sms-sandbox-url", default=None, metavar="URL",
                    help="use a running sandbox (e.g. http://sandbox:8000) instead of starting one in-process; "
                         "default: $MOCKSERVER_URL, else in-process")
    group.addoption("--sms-sandbox-wait", default=15.0, type=float, metavar="SECONDS",
                    help="how long to wait for a given sandbox to answer /_mock/health (one still starting, "
                         "e.g. `mockserver serve &` in the same CI job); default 15")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sms_account(provider='cast', **fields): how the sms_account fixture "
                                       "creates its account (fields: credits, dlr_url, mo_url, name, extra)")
    config.addinivalue_line("markers", "sms_frozen: freeze the sandbox clock for this test, resume after it")


def _external_url(config: pytest.Config) -> str | None:
    return config.getoption("sms_sandbox_url") or os.environ.get("MOCKSERVER_URL") or None


@pytest.fixture(scope="session")
def sms_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The sandbox for this session (this xdist worker): a running one, or a private in-process one."""
    url = _external_url(request.config)
    server = None if url else InProcessServer()
    if server is not None:
        url = server.start()
    sandbox = Sandbox(url)
    try:
        try:
            sandbox.wait_healthy(request.config.getoption("sms_sandbox_wait") if server is None else 5.0)
        except Exception as exc:  # refused, DNS, TLS, a 5xx: whatever it is, say which server and why
            pytest.fail(str(exc), pytrace=False)
        request.config.stash[SHARED] = server is None
        yield sandbox
    finally:
        sandbox.close()
        if server is not None:
            server.stop()


def _account_request(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """Provider and fields: the parametrize value (a name or a dict) wins over the marker."""
    marker = request.node.get_closest_marker("sms_account")
    fields: dict[str, Any] = dict(marker.kwargs) if marker else {}
    provider = (marker.args[0] if marker and marker.args else None) or fields.pop("provider", None)
    param = getattr(request, "param", None)
    if isinstance(param, dict):
        fields.update(param)
        param = fields.pop("provider", None)
    return param or provider or DEFAULT_PROVIDER, fields


@pytest.fixture
def sms_account(request: pytest.FixtureRequest, sms_sandbox: Sandbox) -> Iterator[Account]:
    """A fresh account of one provider (default cast; parametrise it indirectly, or mark the test
    `@pytest.mark.sms_account("smscpr")`) with its `credentials`; deleted after the test."""
    provider, fields = _account_request(request)
    account = sms_sandbox.account(provider, **fields)
    yield account
    try:
        sms_sandbox.delete_account(account.id)
    except NotFoundError:
        pass  # the test deleted or reset it itself


@pytest.fixture
def sms(sms_sandbox: Sandbox, sms_account: Account) -> Sandbox:
    """The client scoped to sms_account: every query and wait sees that account's traffic only."""
    return sms_sandbox.scoped(account_id=sms_account.id, provider=sms_account.provider)


@pytest.fixture
def sms_bin(request: pytest.FixtureRequest, sms_sandbox: Sandbox) -> RequestBin:
    """A request bin no other test (nor an earlier run) writes to: point a callback at `sms_bin.url`, then
    `sms_bin.wait_for_request()`. The name says which test it belongs to, for the inbox's bins page."""
    test = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    label = "".join(c if c.isascii() and (c.isalnum() or c in "._~-") else "-" for c in request.node.name[:40])
    return sms_sandbox.bin(f"{label.strip('-') or 'test'}-{test}-{uuid.uuid4().hex[:6]}")


@pytest.fixture
def sms_frozen_clock(request: pytest.FixtureRequest, sms_sandbox: Sandbox) -> Iterator[Sandbox]:
    """Freeze the sandbox clock for one test (advance() still moves it); resumed afterwards.
    The clock belongs to the server: on a shared server (--sms-sandbox-url) every worker feels this."""
    if request.config.stash.get(SHARED, False) and os.environ.get("PYTEST_XDIST_WORKER"):
        request.node.warn(SharedClockWarning("freezing the clock of a shared sandbox (--sms-sandbox-url) stops "
                                             "time for every xdist worker using it"))
    sms_sandbox.freeze()
    yield sms_sandbox
    sms_sandbox.resume()


@pytest.fixture(autouse=True)
def _sms_frozen_marker(request: pytest.FixtureRequest) -> None:
    """Honours @pytest.mark.sms_frozen; costs nothing to tests without it."""
    if request.node.get_closest_marker("sms_frozen") is not None:
        request.getfixturevalue("sms_frozen_clock")
