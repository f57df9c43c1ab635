"""Settings and the CLI as a user meets them: a misspelled MOCKSERVER_* variable is a warning naming
the closest known one; a bad database URL, an unknown provider in the overrides, a negative delay are
one line and exit 2; Ctrl-C exits 0 without a traceback; `serve --help` lists the main settings."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path

import pytest

from mockserver.startup import unknown_variable_warnings
from tests.e2e.server import clean_env, free_port, mockserver_exe, wait_healthy


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([mockserver_exe(), *args], env=clean_env(env), cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def test_a_misspelled_variable_is_a_warning_naming_the_closest_setting(tmp_path: Path):
    with socket.socket() as taken:  # the start stops at the bind, after the settings were read
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve"], {"MOCKSERVER_TIMMING": "instant", "MOCKSERVER_PORT": str(port)}, tmp_path)
    lines = result.stderr.strip().splitlines()
    assert lines[0] == ("mockserver: warning: MOCKSERVER_TIMMING is not a setting and is ignored; "
                        "did you mean MOCKSERVER_TIMING?")
    assert result.returncode == 2 and "is in use" in lines[1]


def test_provider_variables_and_the_kit_url_are_known():
    env = {"MOCKSERVER_CAST_SIM_SERVICE_ENABLED": "true", "MOCKSERVER_URL": "http://x", "MOCKSERVER_SEED": "1",
           "MOCKSERVER_REQUEST_JOURNAL_LIMT": "5", "MOCKSERVER_NOTHING_LIKE_IT_AT_ALL": "1"}
    assert unknown_variable_warnings(env) == [
        "mockserver: warning: MOCKSERVER_NOTHING_LIKE_IT_AT_ALL is not a setting and is ignored; see the README's "
        "settings table",
        "mockserver: warning: MOCKSERVER_REQUEST_JOURNAL_LIMT is not a setting and is ignored; did you mean "
        "MOCKSERVER_REQUEST_JOURNAL_LIMIT?"]


@pytest.mark.parametrize(("env", "expected"), [
    ({"MOCKSERVER_DATABASE_URL": "mysql://root@localhost/sms"},
     "mockserver: invalid setting MOCKSERVER_DATABASE_URL='mysql://root@localhost/sms': Value error, expected "
     "sqlite:///path/to/file.db or postgresql://user@host:port/db; accepted: text"),
    ({"MOCKSERVER_DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/sms"},
     "mockserver: cannot open the database postgresql://nobody@127.0.0.1:1/sms: connection failed:"),
    ({"MOCKSERVER_PROVIDER_OVERRIDES": '{"kast": {"queue_delay": 1}}'},
     "mockserver: invalid setting MOCKSERVER_PROVIDER_OVERRIDES: unknown provider 'kast'; accepted: cast, "
     "engagelab, mesms, smscpr"),
    ({"MOCKSERVER_DELIVERY_DELAY": "-3"},
     "mockserver: invalid setting MOCKSERVER_DELIVERY_DELAY='-3': Input should be greater than or equal to 0; "
     "accepted: a number (at least 0)"),
    ({"MOCKSERVER_PROVIDER_OVERRIDES": '{"cast": {"delivery_delay": -3}}'},
     "mockserver: invalid setting MOCKSERVER_PROVIDER_OVERRIDES='{\"cast\": {\"delivery_delay\": -3}}': Value error, "
     "cast.delivery_delay is -3: a delay cannot be negative; accepted: a JSON object"),
])
def test_unusable_settings_are_one_line_and_exit_2(tmp_path: Path, env, expected):
    result = run(["serve", "--port", "0"], env, tmp_path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(expected) and "pw" not in line
    assert "Traceback" not in result.stderr + result.stdout


def test_ctrl_c_exits_0_without_a_traceback(tmp_path: Path):
    port = str(free_port())
    proc = subprocess.Popen([mockserver_exe(), "serve"], env=clean_env({"MOCKSERVER_PORT": port}), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_healthy(f"http://127.0.0.1:{port}", proc, timeout=120)  # a loaded box starts slowly
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in err


def test_serve_help_lists_the_main_settings(tmp_path: Path):
    result = run(["serve", "--help"], {}, tmp_path)
    assert result.returncode == 0
    for var in ("MOCKSERVER_DATABASE_URL", "MOCKSERVER_FIXTURES_DIR", "MOCKSERVER_TIMING", "MOCKSERVER_SEED",
                "MOCKSERVER_CONTROL_TOKEN", "MOCKSERVER_REQUEST_JOURNAL_LIMIT"):
        assert var in result.stdout
    assert "sqlite:///./data/mockserver.db" in result.stdout
