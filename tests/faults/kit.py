"""Helpers of the fault tests: rules, messages, receipts and the outbox, through HTTP. The vendors come from
tests/vendors.py (each record says how it sends, its fixture account and how its receipts name a status)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from mockserver.core.fixtures import bundled_dir

from tests.vendors import VENDORS, Vendor  # noqa: F401

# VENDORS is re-exported for the fault tests: the one vendor table lives in tests/vendors.py.


def add_fault(client, **rule) -> dict:
    resp = client.post("/_mock/faults", json=rule)
    assert resp.status_code == 201, resp.text
    return resp.json()


def fault(client, rule_id: str) -> dict:
    resp = client.get(f"/_mock/faults/{rule_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def credits(client, account_id: str) -> int:
    return client.get(f"/_mock/accounts/{account_id}").json()["credits"]


def messages(client, vendor: Vendor) -> list[dict]:
    resp = client.get("/_mock/messages", params={"account_id": vendor.account_id, "limit": 500})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def set_dlr_url(client, vendor: Vendor, url: str) -> None:
    resp = client.patch(f"/_mock/accounts/{vendor.account_id}", json={"dlr_url": url})
    assert resp.status_code == 200, resp.text


def receipts(receiver, vendor: Vendor) -> list[tuple[str, str]]:
    """(digits, status word) of every receipt the receiver got, in arrival order."""
    out = []
    for body in receiver.bodies():
        out += vendor.receipts(body)
    return out


def outbox(client, **params) -> list[dict]:
    resp = client.get("/_mock/webhooks", params={"order": "asc", "limit": 500, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)

#: A fixtures/faults.toml rule that fails the first Cast send after a start.
BOOT_RULE = '[[rule]]\nname = "boot"\nprovider = "cast"\npath = "/api/*/sms/send"\nstatus = 503\ntimes = 1\n'


def fixtures_with_faults(tmp_path: Path, faults_toml: str) -> Path:
    """A copy of the bundled fixtures whose faults.toml is `faults_toml` (pass as fixtures_dir)."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(bundled_dir(), fixtures)
    (fixtures / "faults.toml").write_text(faults_toml, encoding="utf-8")
    return fixtures
