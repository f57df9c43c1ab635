"""`mockserver serve --workers 2` for real: an API process and an engine process under the CLI's supervisor,
on a temp SQLite file (and a PostgreSQL schema). A DLR reaches a local receiver after a clock advance,
health lists both processes, a killed engine is restarted and health counts it, and SIGTERM ends every
child and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from mockserver.__main__ import default_workers
from tests.conftest import database_url
from tests.control.test_time_travel import LADDER, _epoch, _gaps, _hooks, _send_with_dlr_to
from tests.e2e.server import clean_env, free_port, mockserver_exe, read_output, wait_healthy
from tests.replicas.cluster import wait_until
from tests.vendors import VENDORS



def start(tmp_path: Path, workers: str = "2", **settings: str) -> tuple[subprocess.Popen, str]:
    """`serve --workers N` on the test's database (the same one again for the same tmp_path: a restart)."""
    port = free_port()
    env = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_DATABASE_URL": database_url(tmp_path, "workers.db"),
                     "MOCKSERVER_CLOCK_FROZEN": "true", "MOCKSERVER_WEBHOOK_SETTLE_WAIT": "5", **settings})
    # Its own process group: a Ctrl-C in a terminal goes to the whole group, as killpg does here.
    proc = subprocess.Popen([mockserver_exe(), "serve", "--workers", workers, "--log-level", "warning"], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, timeout=90)
        engine_up = wait_until(lambda: all(p["alive"] for p in processes(base)) and len(processes(base)) == 2, 90, 0.2)
        assert engine_up, processes(base)
    except BaseException:
        stop(proc)
        raise
    return proc, base


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, group: bool = False) -> int:
    if proc.poll() is None:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def processes(base: str) -> list[dict]:
    return httpx.get(f"{base}/_mock/health", timeout=10).json()["processes"]


def children_of(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (from /proc; zombies already reaped do not count)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_dlr_is_delivered_after_an_advance_and_a_killed_engine_is_restarted(tmp_path, db_backend, receiver):
    proc, base = start(tmp_path)
    try:
        listed = processes(base)
        assert [p["role"] for p in listed] == ["api", "engine"]
        assert {p["pid"] for p in listed} <= children_of(proc.pid) and len({p["pid"] for p in listed}) == 2
        assert all(p["restarts"] == 0 and p["heartbeat_age_s"] < 3 for p in listed)

        smscpr = VENDORS["smscpr"]  # the bundled fixtures' SMSCPR account (tests/vendors.py)
        sent = httpx.post(base + smscpr.url, headers=smscpr.headers, timeout=30,
                          json={**smscpr.body(text="workers test"), "callbackUrl": receiver.url("/dlr")})
        assert sent.status_code == 200, sent.text
        msg_id = sent.json()["msgId"]
        moved = httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 10}, timeout=60)
        assert moved.status_code == 200, moved.text
        assert wait_until(lambda: len(receiver.bodies("/dlr")) >= 2, 30, 0.1), receiver.bodies()
        dlrs = receiver.bodies("/dlr")
        assert [(d["msgId"], d["status"]) for d in dlrs] == [(msg_id, "DISPATCHED"), (msg_id, "DELIVERED")]

        engine = listed[1]["pid"]
        os.kill(engine, signal.SIGKILL)
        restarted = wait_until(lambda: (lambda e: e if e["restarts"] == 1 and e["alive"] else None)(processes(base)[1]),
                               90, 0.2)
        assert restarted, processes(base)
        assert restarted["pid"] != engine and restarted["pid"] in children_of(proc.pid) and not alive(engine)
        assert processes(base)[0]["pid"] == listed[0]["pid"]  # the API process kept serving throughout
    finally:
        code = stop(proc)
    assert code == 0, read_output(proc)


def test_an_advance_counts_every_attempt_at_its_step_while_the_engine_process_helps(tmp_path, db_backend, receiver):
    """Issue 26's advance with an engine in another process: the engine's scheduler holds still while the API
    process walks the clock, and its dispatcher delivers the walk's webhooks beside it, at each step's time
    (core/engine/pause.py). The report counts every attempt, the engine's too (before the hold the engine took
    most of 200 DLRs on its own schedule: the report said 72 attempts and 129 pending), and each attempt runs
    at the step it was due (a failing bin's retry gaps are the backoff)."""
    proc, base = start(tmp_path, MOCKSERVER_RATE_LIMIT_ENABLED="false")
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            smscpr = VENDORS["smscpr"]
            for _ in range(100):
                sent = client.post(smscpr.url, headers=smscpr.headers,
                                   json={**smscpr.body(text="walk"), "callbackUrl": receiver.url("/dlr")})
                assert sent.status_code == 200, sent.text
            assert client.put("/_mock/bins/down", json={"status": 500}).status_code == 200
            _send_with_dlr_to(client, "down")
            body = client.post("/_mock/clock/advance", json={"seconds": 3600}).json()
            assert (body["transitions"], body["webhook_attempts"], body["still_pending"]) == (202, 210, 0), body
            assert len(receiver.bodies("/dlr")) == 200
            failed = [hook for hook in _hooks(client) if hook["status"] == "failed"]
            assert [hook["attempts"] for hook in failed] == [5, 5]
            for hook in failed:
                assert _gaps([_epoch(a["sent_at"]) for a in hook["attempt_log"]]) == LADDER
    finally:
        code = stop(proc)
    assert code == 0, read_output(proc)


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_sigterm_or_ctrl_c_stops_every_child_and_exits_0(tmp_path, db_backend, how):
    proc, base = start(tmp_path)
    children = children_of(proc.pid)
    assert {p["pid"] for p in processes(base)} <= children
    if how == "sigterm":
        assert stop(proc, signal.SIGTERM) == 0
    else:  # the terminal sends SIGINT to the supervisor and its children at once
        assert stop(proc, signal.SIGINT, group=True) == 0
    assert wait_until(lambda: not any(alive(pid) for pid in children), 15, 0.1), [p for p in children if alive(p)]
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/_mock/health", timeout=2)


@pytest.mark.sqlite_only("process supervision: the store plays no part")
def test_a_supervisor_sigkilled_while_its_children_start_leaves_no_orphan(tmp_path):
    """PR_SET_PDEATHSIG covers a parent dying after the child set it; a child still importing when the
    supervisor was SIGKILLed used to run on, re-parented, with nobody to stop it."""
    env = clean_env({"MOCKSERVER_PORT": str(free_port()), "MOCKSERVER_DATABASE_URL": database_url(tmp_path, "w.db")})
    proc = subprocess.Popen([mockserver_exe(), "serve", "--workers", "2"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    children: set[int] = set()
    try:
        # tracker + API + engine: the engine is spawned last, so it is still starting at this moment
        assert wait_until(lambda: len(children_of(proc.pid)) >= 3, 60, 0.005), children_of(proc.pid)
        children = children_of(proc.pid)
        proc.kill()
        proc.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in children), 30, 0.1), \
            [pid for pid in children if alive(pid)]
    finally:
        proc.kill()
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("args", [[], ["--workers", "1"]], ids=["default", "workers-1"])
def test_the_default_is_an_api_and_an_engine_process_on_two_cores_and_workers_1_is_one(tmp_path, db_backend, args):
    port = free_port()
    env = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/one.db"})
    proc = subprocess.Popen([mockserver_exe(), "serve", *args], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        body = wait_healthy(base, proc, timeout=60).json()
        if args or default_workers() == 1:
            assert [(p["pid"], p["role"], p["alive"]) for p in body["processes"]] == [(proc.pid, "all", True)]
            assert not children_of(proc.pid)
        else:
            assert wait_until(lambda: all(p["alive"] for p in processes(base)), 60, 0.2), processes(base)
            listed = processes(base)
            assert [p["role"] for p in listed] == ["api", "engine"]
            assert {p["pid"] for p in listed} <= children_of(proc.pid) and len({p["pid"] for p in listed}) == 2
    finally:
        assert stop(proc) == 0


@pytest.mark.parametrize(("cores", "workers"), [(None, 1), (1, 1), (2, 2), (16, 2)])
def test_the_default_process_count_follows_the_cores(monkeypatch, cores, workers):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_workers() == workers


@pytest.mark.parametrize("value", ["0", "65", "two"])
def test_a_bad_worker_count_is_one_line_and_exit_2(tmp_path, value):
    result = subprocess.run([mockserver_exe(), "serve", "--workers", value], cwd=tmp_path, capture_output=True,
                            text=True, env=clean_env({}), timeout=60)
    assert result.returncode == 2 and "not a number of workers (1-64)" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was started


@pytest.mark.sqlite_only
def test_an_in_memory_database_stays_one_process(tmp_path, db_backend):
    port = free_port()
    env = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_DATABASE_URL": "sqlite:///:memory:"})
    proc = subprocess.Popen([mockserver_exe(), "serve", "--workers", "3"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = wait_healthy(f"http://127.0.0.1:{port}", proc, timeout=60).json()
        assert [p["role"] for p in body["processes"]] == ["all"]
    finally:
        assert stop(proc) == 0
    assert "an in-memory database cannot be shared by processes; serving with --workers 1" in read_output(proc)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_provider_setting_stops_the_start_with_the_same_line_in_both_modes(tmp_path, workers):
    env = clean_env({"MOCKSERVER_CAST_RETRY_AFTER": "abc", "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    result = subprocess.run([mockserver_exe(), "serve", "--port", "0", "--workers", workers], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mockserver: invalid setting MOCKSERVER_CAST_RETRY_AFTER='abc': Input should be a valid integer, unable to "
        "parse string as an integer; accepted: an integer"]
