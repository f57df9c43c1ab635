"""API keys are looked up by their SHA-256 and compared in constant time (hmac.compare_digest)."""

from __future__ import annotations

import hashlib

from mockserver.core.runtime import Runtime
from mockserver.core.store import accounts
from tests.hardening.kit import hardening_settings, send_case
from tests.vendors import VENDORS, first_key


def test_every_key_is_stored_with_its_hash_and_found_by_it(tmp_path):
    runtime = Runtime(hardening_settings(tmp_path))
    conn = runtime.db.conn()
    rows = conn.execute("SELECT provider, key, key_hash FROM apikey").fetchall()
    assert rows and all(r["key_hash"] == hashlib.sha256(r["key"].encode()).hexdigest() for r in rows)
    key = first_key("cast")["key"]
    assert accounts.find_key(conn, "cast", key).key == key
    assert accounts.find_key(conn, "cast", key[:-1]) is None
    assert accounts.find_key(conn, "mesms", key) is None
    runtime.db.close()


def test_a_key_added_later_is_found(sandbox):
    made = sandbox.post("/_mock/accounts", json={"provider": "mesms", "id": "later"}).json()
    key = made["credentials"]["api_key"]
    assert sandbox.get("/mesms/api/v2/credits", headers={"x-api-key": key}).status_code == 200
    assert sandbox.get("/mesms/api/v2/credits", headers={"x-api-key": key + "x"}).status_code == 401


def test_fixture_keys_still_authenticate_everywhere(sandbox):
    for provider in VENDORS:
        path, headers, body, _ = send_case(provider)
        resp = sandbox.post(path, content=body, headers={**headers, "Content-Type": "application/json"})
        assert resp.status_code in (200, 201, 202), (provider, resp.text)
