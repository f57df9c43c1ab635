"""The `mockserver` CLI as a user meets it: help, settings errors, a taken port, healthcheck's address."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from mockserver.settings import Settings
from tests.e2e.server import clean_env, free_port, mockserver_exe, running_server


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([mockserver_exe(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=30)


def test_no_subcommand_prints_help_and_exits_0(tmp_path: Path):
    result = run([], clean_env({}), tmp_path)
    assert result.returncode == 0
    assert "usage: mockserver" in result.stdout and "serve" in result.stdout and "healthcheck" in result.stdout


def test_log_level_lists_its_choices(tmp_path: Path):
    result = run(["serve", "--help"], clean_env({}), tmp_path)
    assert "{critical,error,warning,info,debug,trace}" in result.stdout.replace("\n", "").replace(" ", "")
    bad = run(["serve", "--log-level", "loud"], clean_env({}), tmp_path)
    assert bad.returncode == 2 and "invalid choice: 'loud'" in bad.stderr


@pytest.mark.parametrize(("var", "value", "accepted"), [
    ("MOCKSERVER_SEED", "abc", "an integer"),
    ("MOCKSERVER_TIMING", "fast", "'default' or 'instant'"),
    ("MOCKSERVER_AUTO_PROVISION", "maybe", "true or false"),
    ("MOCKSERVER_RANDOM_OUTCOMES", "{not json", "a JSON object"),
    ("MOCKSERVER_PORT", "eighty", "an integer"),
    ("MOCKSERVER_PORT", "70000", "an integer (at least 0, at most 65535)"),
    ("MOCKSERVER_RANDOM_FAILURE_RATE", "2", "a number (at least 0.0, at most 1.0)"),
])
def test_bad_setting_is_one_line_naming_variable_and_accepted_values(tmp_path: Path, var, value, accepted):
    env = clean_env({var: value, "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/db/m.db"})
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert var in lines[0] and repr(value) in lines[0] and accepted in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "db").exists()


@pytest.mark.parametrize("args", [["--port", "99999"], ["--port", "-1"], ["--port", "http"]])
def test_out_of_range_port_is_a_usage_error_not_a_wrapped_port(tmp_path: Path, args):
    # The OS would silently take 99999 as 34463; argparse refuses it before anything starts.
    result = run(["serve", *args], clean_env({"MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/db/m.db"}), tmp_path)
    assert result.returncode == 2 and "is not a port number (0-65535)" in result.stderr
    assert not (tmp_path / "db").exists()


def test_unusable_address_is_one_line_exit_2(tmp_path: Path):
    result = run(["serve", "--host", "name.invalid", "--port", "0"], clean_env({}), tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("mockserver: cannot bind name.invalid:0: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_empty_values_mean_not_set(monkeypatch):
    for var in ("MOCKSERVER_SEED", "MOCKSERVER_FIXTURES_DIR", "MOCKSERVER_PORT", "MOCKSERVER_TIMING"):
        monkeypatch.setenv(var, "")
    settings = Settings()
    assert (settings.seed, settings.fixtures_dir, settings.port, settings.timing) == (None, None, 8000, "default")


def test_taken_port_exits_2_before_the_database_or_fixtures(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/db/m.db"})
        result = run(["serve"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"mockserver: port {port} is in use on 127.0.0.1 "
                                     "(choose another with --port or MOCKSERVER_PORT)")
    assert not (tmp_path / "db").exists(), "the database was opened before the bind failed"


def test_healthcheck_with_a_bad_setting_is_unhealthy_not_docker_reserved_2(tmp_path: Path):
    result = run(["healthcheck"], clean_env({"MOCKSERVER_PORT": "eighty"}), tmp_path)
    assert result.returncode == 1 and "MOCKSERVER_PORT='eighty'" in result.stderr


def test_healthcheck_follows_port_like_serve(tmp_path: Path):
    port = free_port()
    env = clean_env({"MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/m.db", "MOCKSERVER_PORT": str(port)})
    with running_server(env, tmp_path, ("serve", "--host", "127.0.0.1", "--port", str(port))):
        without = clean_env({})  # no MOCKSERVER_PORT: looks at 8000 unless told
        assert run(["healthcheck", "--port", str(port)], without, tmp_path).returncode == 0
        assert run(["healthcheck", "--host", "127.0.0.1", "--port", str(port)], without, tmp_path).returncode == 0
        assert run(["healthcheck"], clean_env({"MOCKSERVER_PORT": str(port)}), tmp_path).returncode == 0
        wildcard = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_HOST": "0.0.0.0"})
        assert run(["healthcheck"], wildcard, tmp_path).returncode == 0
    gone = run(["healthcheck", "--port", str(port)], clean_env({}), tmp_path)
    assert gone.returncode == 1 and f":{port}/_mock/health" in gone.stderr
