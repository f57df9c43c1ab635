"""tests/vendors.py holds one record per registered provider, each record is true of its vendor (checked
through HTTP), and a provider registered later is picked up by every VENDORS-driven test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.providers import PROVIDERS
from tests import dummy_provider
from tests.vendors import VENDORS, collect, uncovered

ROOT = Path(__file__).resolve().parents[1]


def test_every_registered_provider_has_a_vendor_record():
    assert uncovered(PROVIDERS, VENDORS) == [], "add VENDOR to tests/providers/<p>/kit.py (see tests/vendors.py)"
    assert list(VENDORS) == list(PROVIDERS)


def test_a_registered_provider_without_a_record_is_reported(monkeypatch):
    monkeypatch.setitem(PROVIDERS, "dummy", dummy_provider.PROVIDER)
    assert uncovered(PROVIDERS, collect(PROVIDERS)) == ["dummy"]


@pytest.mark.parametrize("vendor", VENDORS.values(), ids=list(VENDORS))
def test_the_record_sends_with_the_fixture_credentials(client, vendor):
    resp = vendor.send(client)
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("vendor", VENDORS.values(), ids=list(VENDORS))
def test_the_records_401_shape(client, vendor):
    vendor.unauthorized.check(client.post(vendor.url, json=vendor.body()))


@pytest.mark.parametrize("vendor", VENDORS.values(), ids=list(VENDORS))
def test_the_records_413_shape(client_factory, vendor):
    client = client_factory(max_body_bytes=2048)
    big = vendor.body(text="x" * 4096)
    vendor.too_large.check(client.post(vendor.url, json=big, headers=vendor.headers))


LIMITED = [v for v in VENDORS.values() if v.limiter]


@pytest.mark.parametrize("vendor", LIMITED, ids=[v.name for v in LIMITED])
def test_the_records_429_shape(client_factory, vendor):
    client = client_factory(provider_settings={vendor.name: dict(vendor.limiter)})
    assert vendor.send(client).status_code == 200
    vendor.rate_limited.check(vendor.send(client))


def _pytest(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _collected(*args: str) -> set[str]:
    done = _pytest("--collect-only", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


CROSS_VENDOR = ["tests/test_vendors.py", "tests/providers/test_shared_wiring.py"]


def test_a_fifth_provider_is_picked_up_by_the_cross_vendor_tests():
    """Registering a provider (and a kit record) is all it takes: the same files collect tests for it."""
    plain = _collected(*CROSS_VENDOR)
    grown = _collected("-p", "tests.dummy_provider", *CROSS_VENDOR)
    added = grown - plain
    assert plain <= grown and added, grown
    assert all("dummy" in test_id for test_id in added), added
    assert any("test_shared_wiring.py" in test_id for test_id in added), added
    # ... and they pass against the dummy, through HTTP on its mount.
    done = _pytest("-p", "tests.dummy_provider", "tests/test_vendors.py", "-k", "dummy and record and sqlite")
    assert done.returncode == 0 and "3 passed" in done.stdout, done.stdout + done.stderr
