"""Several replicas on one database: what another process writes (a revoked key, a disabled account, a
withdrawn sender ID, a balance) is seen by this server on its very next request, although keys,
accounts and senders are served from a read cache. "Another replica" here is a second Database on the
same store (its own connections: a second SQLite connection to the file, or PostgreSQL sessions)."""

from __future__ import annotations

from mockserver.core.db.connect import open_database
from mockserver.settings import Settings
from tests.conftest import database_url
from tests.providers.cast.kit import V1, err, h, new_account
from mockserver.core.db.sql import run_once
from sqlalchemy import text

BODY = {"to": "09171234567", "message": "hello", "sender_id": "CAST"}


def other_replica(tmp_path, sql: str, key: str) -> None:
    """Write through another process's connection: `sql` names the key :key (SQLAlchemy binds it per dialect)."""
    db = open_database(Settings(database_url=database_url(tmp_path)))
    try:
        with db.write() as conn:
            assert run_once(conn, text(sql), {"key": key}).rowcount == 1
    finally:
        db.close()


def send(client, key: str, body: dict = BODY):
    return client.post(f"{V1}/sms/send", headers=h(key), json=body)


def test_a_key_revoked_elsewhere_is_refused_next(client, tmp_path):
    key = new_account(client)
    assert send(client, key).status_code == 200  # the key is now cached
    other_replica(tmp_path, "UPDATE apikey SET status = 'revoked' WHERE key = :key", key)
    resp = send(client, key)
    assert (resp.status_code, resp.json()) == (403, err("api key is revoked", "API_KEY_REVOKED"))


def test_an_account_disabled_elsewhere_is_refused_next(client, tmp_path):
    key = new_account(client)
    assert send(client, key).status_code == 200
    other_replica(tmp_path, "UPDATE account SET is_active = 0 WHERE id = (SELECT account_id FROM apikey WHERE key = :key)",
                  key)
    resp = send(client, key)
    assert (resp.status_code, resp.json()) == (403, err("user account is inactive", "USER_INACTIVE"))


def test_a_sender_withdrawn_elsewhere_is_refused_next(client, tmp_path):
    key = new_account(client)
    assert send(client, key).status_code == 200
    other_replica(tmp_path, "UPDATE sender SET status = 'rejected' WHERE name = 'CAST' AND account_id = "
                  "(SELECT account_id FROM apikey WHERE key = :key)", key)
    resp = send(client, key)
    assert resp.status_code == 403 and resp.json()["error_code"] == "SENDER_ID_NOT_ALLOWED", resp.text


def test_a_balance_spent_elsewhere_is_never_overdrawn(client, tmp_path):
    key = new_account(client, credits=3)
    assert send(client, key).status_code == 200  # 2 left
    other_replica(tmp_path, "UPDATE account SET credits = credits - 2 WHERE id = "
                  "(SELECT account_id FROM apikey WHERE key = :key)", key)
    resp = send(client, key)
    assert (resp.status_code, resp.json()) == (402, err("insufficient credits: need 1, have 0", "INSUFFICIENT_CREDITS"))
