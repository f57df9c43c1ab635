"""Fixtures are re-applied on every start: fixture-owned accounts, keys and settings follow the files;
messages, spent credits of unchanged entries, and accounts made through the control API stay."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.providers.mesms.kit import KEY as DEMO_KEY
from tests.providers.mesms.kit import LOWCREDIT as LOW_KEY
from tests.providers.mesms.kit import READONLY as READONLY_KEY
from tests.vendors import FIXTURES


def fixture_copy(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def credits(client, key: str) -> int:
    resp = client.get("/mesms/api/v2/credits", headers={"x-api-key": key})
    assert resp.status_code == 200, resp.text
    return resp.json()["credits"]


def send(client) -> None:
    resp = client.post("/mesms/api/v2/sms/send", headers={"x-api-key": DEMO_KEY},
                       json={"sender": "MeSMS", "content": "stays", "msisdns": ["0812345678"]})
    assert resp.status_code < 300, resp.text


def test_edited_fixtures_apply_on_restart_and_data_stays(app_factory, tmp_path):
    fixtures = fixture_copy(tmp_path)
    first = app_factory(fixtures_dir=fixtures)
    send(first)
    assert first.post("/_mock/accounts", json={"provider": "mesms", "id": "mine", "credits": 5}).status_code == 201
    assert first.get("/mesms/api/v2/credits", headers={"x-api-key": READONLY_KEY}).status_code == 200

    mesms = fixtures / "mesms.toml"
    edit(mesms, "credits = 10000000", "credits = 42")
    edit(mesms, f'key = "{READONLY_KEY}"', f'key = "{READONLY_KEY}"\nstatus = "revoked"')
    text = mesms.read_text()
    mesms.write_text(text[:text.index('[[accounts]]\nid = "mesms-lowcredit"')])  # the account goes

    second = app_factory(fixtures_dir=fixtures)
    assert credits(second, DEMO_KEY) == 42
    assert second.get("/mesms/api/v2/credits", headers={"x-api-key": READONLY_KEY}).status_code in (401, 403)
    listed = {a["id"]: a for a in second.get("/_mock/accounts", params={"provider": "mesms"}).json()}
    assert set(listed) == {"mesms-demo", "mesms-lowcredit", "mine"}  # retired, not deleted
    assert listed["mesms-lowcredit"]["is_active"] is False and listed["mesms-lowcredit"]["extra"]["retired"] is True
    assert [m["body"] for m in second.get("/_mock/messages", params={"provider": "mesms"}).json()["items"]] == ["stays"]


def test_an_unchanged_fixture_keeps_its_spent_credits(app_factory, tmp_path):
    fixtures = fixture_copy(tmp_path)
    first = app_factory(fixtures_dir=fixtures)
    before = credits(first, DEMO_KEY)
    send(first)
    spent = credits(first, DEMO_KEY)
    assert spent < before
    assert credits(app_factory(fixtures_dir=fixtures), DEMO_KEY) == spent


def test_a_control_patch_to_a_fixture_account_survives_a_plain_restart(app_factory, tmp_path):
    fixtures = fixture_copy(tmp_path)
    first = app_factory(fixtures_dir=fixtures)
    assert first.patch("/_mock/accounts/mesms-demo", json={"name": "renamed"}).status_code == 200
    assert app_factory(fixtures_dir=fixtures).get("/_mock/accounts/mesms-demo").json()["name"] == "renamed"


def test_a_new_fixture_account_appears_on_restart(app_factory, tmp_path):
    fixtures = fixture_copy(tmp_path)
    app_factory(fixtures_dir=fixtures)
    mesms = fixtures / "mesms.toml"
    mesms.write_text(mesms.read_text() + '\n[[accounts]]\nid = "mesms-new"\ncredits = 9\n\n[[accounts.keys]]\n'
                     'key = "mesms_new_key_0123456789abcdef00"\nscopes = ["*"]\n')
    assert credits(app_factory(fixtures_dir=fixtures), "mesms_new_key_0123456789abcdef00") == 9


def send_low(client) -> None:
    resp = client.post("/mesms/api/v2/sms/send", headers={"x-api-key": LOW_KEY},
                       json={"sender": "MeSMS", "content": "from low", "msisdns": ["0812345678"]})
    assert resp.status_code < 300, resp.text


def bodies(client) -> list[str]:
    return sorted(m["body"] for m in client.get("/_mock/messages", params={"provider": "mesms"}).json()["items"])


def test_an_account_gone_from_the_files_is_retired_with_its_messages_and_comes_back(app_factory, tmp_path):
    fixtures = fixture_copy(tmp_path)
    original = (fixtures / "mesms.toml").read_text()
    first = app_factory(fixtures_dir=fixtures)
    send_low(first)
    mesms = fixtures / "mesms.toml"
    mesms.write_text(original[:original.index('[[accounts]]\nid = "mesms-lowcredit"')])

    retired = app_factory(fixtures_dir=fixtures)
    refused = retired.get("/mesms/api/v2/credits", headers={"x-api-key": LOW_KEY})
    assert refused.status_code in (401, 403), refused.text  # its key stops working
    assert bodies(retired) == ["from low"]  # its message stays
    assert retired.get("/_mock/accounts/mesms-lowcredit").json()["is_active"] is False

    mesms.write_text(original)
    back = app_factory(fixtures_dir=fixtures)
    assert credits(back, LOW_KEY) == 2 and bodies(back) == ["from low"]  # back, with its spent credit
    assert back.post("/_mock/reset").status_code == 200  # only a reset deletes
    assert bodies(back) == []


def test_a_missing_or_empty_fixtures_folder_stops_the_start_and_deletes_nothing(app_factory, tmp_path):
    from mockserver.core.fixtures import FixturesError

    fixtures = fixture_copy(tmp_path)
    send(app_factory(fixtures_dir=fixtures))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "review.toml").write_text("reject_patterns = []\n")
    for wrong in (tmp_path / "fixturez", empty):
        with pytest.raises(FixturesError, match=str(wrong)):
            app_factory(fixtures_dir=wrong)
    again = app_factory(fixtures_dir=fixtures)
    assert bodies(again) == ["stays"]
    assert len(again.get("/_mock/accounts", params={"provider": "mesms"}).json()) == 2
