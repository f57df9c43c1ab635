"""What `mockserver serve` says at start: the inbox URL, the absolute database path (or the URL without
its password) and the fixtures folder; a warning when another live server uses the same SQLite file; a
fixtures folder that does not exist is one line and exit 2, before anything is touched."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from mockserver.settings import Settings
from mockserver.startup import database_label
from tests.e2e.server import clean_env, free_port, mockserver_exe, wait_healthy


def start(tmp_path: Path, extra: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = str(free_port())
    proc = subprocess.Popen([mockserver_exe(), "serve"], env=clean_env({"MOCKSERVER_PORT": port, **(extra or {})}),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc, timeout=120)  # a loaded 2-core box starts slowly
    return proc, base


def stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)  # generous: a loaded 2-core box stops (and flushes) slowly
    return out, err


def test_start_lines_name_inbox_database_and_fixtures_and_a_second_server_is_warned(tmp_path: Path):
    first, base = start(tmp_path)
    second, second_base = start(tmp_path)  # same cwd: the same ./data/mockserver.db
    second_out, second_err = stop(second)
    first_out, first_err = stop(first)
    database = (tmp_path / "data" / "mockserver.db").resolve()
    lines = first_out.splitlines()
    assert lines[0].startswith("mockserver ") and lines[0].endswith(f"listening on {base}/")
    assert f"  inbox     {base}/" in lines and f"  database  {database}" in lines
    assert any(line.startswith("  fixtures  ") and line.endswith("(bundled)") for line in lines)
    assert "warning" not in first_err
    assert f"another live mockserver process (pid {first.pid}) serves {database}" in second_err
    assert f"  inbox     {second_base}/" in second_out.splitlines()


def test_a_missing_fixtures_folder_is_one_line_and_exit_2(tmp_path: Path):
    wrong = tmp_path / "fixtrues"
    result = subprocess.run([mockserver_exe(), "serve", "--port", "0"], cwd=tmp_path, capture_output=True, text=True,
                            env=clean_env({"MOCKSERVER_FIXTURES_DIR": str(wrong)}), timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"mockserver: fixtures folder {wrong} does not exist (MOCKSERVER_FIXTURES_DIR); unset it for the bundled fixtures"]
    assert not (tmp_path / "data").exists()  # nothing opened, nothing touched


def test_a_postgresql_url_is_shown_without_its_password():
    settings = Settings(database_url="postgresql://sms:hunter2secret@db.example:5432/sandbox")
    assert database_label(settings) == "postgresql://sms@db.example:5432/sandbox"
