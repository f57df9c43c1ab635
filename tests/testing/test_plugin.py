"""The pytest plugin, tested with pytest's own pytester: fixtures per provider on an in-process server,
markers, a given server URL, a clear failure when that server is down, and isolation under xdist."""

from __future__ import annotations

import pytest

from tests.vendors import VENDORS

pytest_plugins = ["pytester"]

#: A user's test file: each vendor's real client call, then the kit's otp() / wait_for().
PER_PROVIDER = '''
import httpx, pytest

# Each vendor's number format; the sandbox stores E.164 digits, which is what `to=` filters on.
TO = @TO@

def send(base, account, text):
    c, to = account.credentials, TO[account.provider][0]
    if account.provider == "cast":
        return httpx.post(f"{base}/cast/api/sms/send", headers={"X-API-Key": c["api_key"]},
                          json={"to": to, "message": text, "sender_id": "CAST"})
    if account.provider == "smscpr":
        return httpx.post(f"{base}/smscpr/messages/sms", headers={"Authorization": c["authorization"]},
                          json={"servicePlanId": c["servicePlanId"], "channel": "SMS", "from": "+15550001111",
                                "to": to, "body": text})
    if account.provider == "mesms":
        return httpx.post(f"{base}/mesms/api/v2/sms/send", headers={"x-api-key": c["api_key"]},
                          json={"sender": c["sender"], "content": text, "msisdns": [to]})
    return httpx.post(f"{base}/engagelab/v1/messages", auth=(c["dev_key"], c["dev_secret"]),
                      json={"to": [to], "template": {"id": 1233, "params": {"content": text}}})

@pytest.mark.parametrize("sms_account", list(TO), indirect=True)
def test_send_then_otp(sms_sandbox, sms_account, sms):
    assert send(sms_sandbox.base_url, sms_account, "Your code is 012345").status_code == 200
    stored = TO[sms_account.provider][1]
    assert sms.otp(to=stored) == "012345"
    msg = sms.wait_for(to="+" + stored, status="delivered")
    assert (msg.provider, msg.account_id) == (sms_account.provider, sms_account.id)
    assert [m.id for m in sms.messages()] == [msg.id]  # scoped: no other test's traffic

@pytest.mark.sms_account("mesms", credits=7)
def test_marker_shapes_the_account(sms_account):
    assert (sms_account.provider, sms_account.credits) == ("mesms", 7)

@pytest.mark.sms_frozen
def test_frozen(sms_sandbox):
    assert sms_sandbox.clock().frozen

def test_resumed_after(sms_sandbox):
    assert not sms_sandbox.clock().frozen
    assert sms_sandbox.base_url.startswith("http://127.0.0.1:")
'''
# The vendors and their numbers come from tests/vendors.py, so a new vendor is tested here too.
PER_PROVIDER = PER_PROVIDER.replace("@TO@", repr({v.name: (v.number, v.msisdn) for v in VENDORS.values()}))


@pytest.fixture
def isolated(pytester, monkeypatch):
    monkeypatch.delenv("MOCKSERVER_URL", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    # A user's project of its own: pytest-asyncio wants its loop scope said; the in-process runs see
    # mockserver imported already by this outer session (nothing to rewrite in it anyway).
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n"
                     "filterwarnings = ignore::pytest.PytestAssertRewriteWarning\n")
    return pytester


def test_in_process_server_per_provider_and_markers(isolated):
    isolated.makepyfile(test_user=PER_PROVIDER)
    result = isolated.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(VENDORS) + 3)


def test_a_given_url_is_used_and_accounts_are_cleaned_up(isolated, sms_sandbox):
    isolated.makepyfile(test_given='''
import json, pathlib
def test_uses_it(sms_sandbox, sms_account, pytestconfig):
    assert sms_sandbox.base_url == pytestconfig.getoption("sms_sandbox_url")
    pathlib.Path("account.json").write_text(json.dumps(sms_account.id))
''')
    result = isolated.runpytest("--sms-sandbox-url", sms_sandbox.base_url, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    account_id = (isolated.path / "account.json").read_text().strip('"')
    assert account_id.startswith("cast-")
    assert account_id not in [a.id for a in sms_sandbox.accounts("cast")]  # deleted after the test


def test_an_unreachable_server_fails_clearly(isolated, monkeypatch):
    monkeypatch.setenv("MOCKSERVER_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    isolated.makepyfile(test_down="def test_x(sms_account):\n    pass\n")
    result = isolated.runpytest("-p", "no:cacheprovider", "--sms-sandbox-wait", "0.3")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the SMS sandbox at http://127.0.0.1:9 did not answer /_mock/health within 0.3 s"
                                 " (last: ConnectError(*"])


#: Two workers on ONE shared server, each sending the same number through a different provider.
SHARED = '''
import httpx, os, pytest

@pytest.mark.parametrize("n", range(4))
@pytest.mark.parametrize("sms_account", ["cast", "smscpr"], indirect=True)
def test_isolated(sms_sandbox, sms_account, sms, n):
    c, base = sms_account.credentials, sms_sandbox.base_url
    if sms_account.provider == "cast":
        r = httpx.post(f"{base}/cast/api/sms/send", headers={"X-API-Key": c["api_key"]},
                       json={"to": "09171234567", "message": f"cast {n} code 1111{n}", "sender_id": "CAST"})
    else:
        r = httpx.post(f"{base}/smscpr/messages/sms", headers={"Authorization": c["authorization"]},
                       json={"servicePlanId": c["servicePlanId"], "from": "+15550001111",
                             "channel": "SMS", "to": "+639171234567",
                             "body": f"smscpr {n} code 2222{n}"})
    assert r.status_code == 200
    expected = ("1111" if sms_account.provider == "cast" else "2222") + str(n)
    assert sms.otp(to="639171234567") == expected
    seen = sms.messages(to="639171234567")
    assert [(m.account_id, m.body) for m in seen] == [(sms_account.id, f"{sms_account.provider} {n} code {expected}")]
    print("WORKER", os.environ.get("PYTEST_XDIST_WORKER"))
'''


def test_two_xdist_workers_share_a_server_without_colliding(isolated, sms_sandbox):
    pytest.importorskip("xdist")
    isolated.makepyfile(test_shared=SHARED)
    result = isolated.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "--sms-sandbox-url",
                                           sms_sandbox.base_url, "-rA")
    result.assert_outcomes(passed=8)
    # -rA shows each passed test's captured output: both workers really ran tests of this file.
    workers = {line.split()[-1] for line in result.outlines if line.startswith("WORKER gw")}
    assert workers == {"gw0", "gw1"}


def test_freezing_a_shared_sandbox_under_xdist_warns_and_resumes(isolated, sms_sandbox, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")  # what a worker of `-n` sees
    isolated.makepyfile(test_frozen='''
import pytest

@pytest.mark.sms_frozen
def test_frozen(sms_sandbox):
    assert sms_sandbox.clock().frozen
''')
    result = isolated.runpytest("--sms-sandbox-url", sms_sandbox.base_url, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["test_frozen.py::test_frozen", "*SharedClockWarning: freezing the clock of a "
                                 "shared sandbox (--sms-sandbox-url) stops time for every xdist worker using it"])
    assert sms_sandbox.clock().frozen is False  # resumed after the test
