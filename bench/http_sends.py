"""Send throughput over HTTP: wrk against a real `mockserver serve` and, in the same run, against a bare
FastAPI JSON POST endpoint (bench/bare_app.py) under the same uvicorn configuration; prints req/s, p99
and each send's ratio to the bare endpoint, plus the server CPU per request (medians of --runs runs;
the order of the sends rotates per run, and each starts once the scheduler is idle again).

    .venv/bin/python -m bench.http_sends [--runs 3] [--seconds 5] [--connections 8] [--all]
                                         [--journal on|off|both] [--env MOCKSERVER_X=value ...]

--journal both runs a second sandbox with the request journal off (MOCKSERVER_REQUEST_JOURNAL=false)
beside the first, and measures every send on both in the same runs: the journal's cost, one line each.

Needs `wrk` (Debian package). Loopback only; the server runs with rate limits off. After the runs it
checks that every send answered 2xx was stored (the server's count of messages equals wrk's count).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CAST_KEY = "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"
CAST_BODY = '{"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"}'
BARE = ("POST", "/send", {}, CAST_BODY)
SENDS = {
    "cast v1 sms/send": ("POST", "/cast/api/v1/sms/send", {"X-API-Key": CAST_KEY}, CAST_BODY),
    "cast sms/send (legacy)": ("POST", "/cast/api/sms/send", {"X-API-Key": CAST_KEY}, CAST_BODY),
    "mesms send": ("POST", "/mesms/api/v2/sms/send", {"x-api-key": "mesms_demo_key_0123456789abcdef"},
                   '{"sender": "MeSMS", "content": "hello", "msisdns": ["0812345678"]}'),
}
OTHERS = {
    "smscpr sendsms": ("POST", "/smscpr/v1/sendsms",
                       {"Authorization": "Bearer smscpr_sandbox_token_111111111111111111111111"},
                       '{"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111", '
                       '"to": "+15550002222", "body": "Your verification code is 123456"}'),
    "engagelab messages": ("POST", "/engagelab/v1/messages",
                           {"Authorization": "Basic ZW5nYWdlbGFiX2Rldl9rZXk6ZW5nYWdlbGFiX2Rldl9zZWNyZXQ="},
                           '{"to": ["923700056581"], "template": {"id": 1233, "params": {"content": "x"}}}'),
}
#: The issue's targets: the slower of the Cast and me-sms sends vs the bare endpoint, and p99.
TARGET_RATIO, TARGET_P99_MS = 0.25, 25.0


def lua(method: str, headers: dict, body: str | None) -> str:
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body:
        lines.append("wrk.body = [[" + body + "]]")
    return "\n".join(lines) + "\n"


def process_tree(pid: int) -> list[int]:
    """The process and its live descendants: `serve --workers N` does its work in child processes."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(child) for child in task.read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process and its children (all their threads) have used so far."""
    total = 0
    for each in process_tree(pid):
        with contextlib.suppress(OSError):  # a child that just ended
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, script: Path, seconds: int, connections: int, pid: int) -> tuple[float, float, int, int, float]:
    """(req/s, p99 ms, non-2xx answers, requests, server CPU ms per request) of one wrk run. CPU per
    request is the steadier figure on a shared box: it does not move with what other processes take."""
    cpu = cpu_seconds(pid)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p99, bad, total, (cpu_seconds(pid) - cpu) * 1000 / max(total, 1)


def settle(pid: int, limit_s: float = 15.0) -> None:
    """Wait until the sandbox is idle (under 5 % CPU over half a second): the scheduler has finished the
    previous target's messages, whose lifecycle would otherwise be billed to the next target."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.025:
            return


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(url).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def start(folder: Path, journals: tuple[bool, ...] = (True,),
          extra_env: dict[str, str] | None = None) -> tuple[list[subprocess.Popen], list[int], int]:
    """The sandboxes (one per journal setting, each on its own database) and the bare app, each in its
    own process (same uvicorn settings). Returns the processes (bare app last), the sandbox ports, the
    bare port."""
    procs, ports, bare_port = [], [], free_port()
    for journal in journals:
        port = free_port()
        env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/{db_name(journal)}",
               "MOCKSERVER_PORT": str(port), "MOCKSERVER_RATE_LIMIT_ENABLED": "false",
               "MOCKSERVER_REQUEST_JOURNAL": str(journal).lower(), **(extra_env or {})}
        procs.append(subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"],
                                      env=env))
        ports.append(port)
    procs.append(subprocess.Popen([sys.executable, "-m", "bench.bare_app", "--port", str(bare_port)],
                                  env=os.environ.copy()))
    for port in ports:
        wait_up(f"http://127.0.0.1:{port}/_mock/health")
    wait_up(f"http://127.0.0.1:{bare_port}/docs")
    return procs, ports, bare_port


def db_name(journal: bool) -> str:
    return "bench.db" if journal else "bench-nojournal.db"


def label(name: str, journal: bool) -> str:
    return name if journal else f"{name} (no journal)"


def stored_messages(folder: Path, name: str = "bench.db") -> int:
    """How many messages the sandbox's database holds (read beside the server: WAL lets it), to check
    that no send answered 2xx was lost."""
    conn = sqlite3.connect(folder / name)
    try:
        return int(conn.execute("SELECT count(*) FROM message").fetchone()[0])
    finally:
        conn.close()


def report(results: dict, args: argparse.Namespace) -> bool:
    base = statistics.median(r[0] for r in results["bare FastAPI POST"])
    base_cpu = statistics.median(r[4] for r in results["bare FastAPI POST"])
    base_p99 = statistics.median(r[1] for r in results["bare FastAPI POST"])
    print(f"one worker each, wrk -t2 -c{args.connections}, {args.seconds} s x {args.runs} runs (medians)")
    slowest = None
    for name, runs in results.items():
        rps, p99 = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        bad, cpu = sum(r[2] for r in runs), statistics.median(r[4] for r in runs)
        print(f"  {name:36s} {rps:8.0f} req/s  p99 {p99:7.1f} ms  {rps / base:5.2f}x bare  "
              f"cpu {cpu:5.2f} ms/req ({base_cpu / cpu:4.2f}x bare)  non-2xx {bad}")
        if name in SENDS and (slowest is None or rps < slowest[1]):  # the journal-on figures decide
            slowest = (name, rps, p99, cpu)
    name, rps, p99, cpu = slowest
    ok = rps / base >= TARGET_RATIO and p99 <= TARGET_P99_MS
    print(f"slowest send: {name}, {rps / base:.2f}x bare (target >= {TARGET_RATIO}x), p99 {p99:.1f} ms "
          f"(target <= {TARGET_P99_MS:.0f} ms): {'met' if ok else 'NOT met'}; CPU {base_cpu / cpu:.2f}x bare's")
    worst = max(statistics.median(r[1] for r in results[n]) for n in SENDS if n in results)
    for name in SENDS:
        off = results.get(label(name, False))
        if off and results.get(name):
            on_rps, off_rps = statistics.median(r[0] for r in results[name]), statistics.median(r[0] for r in off)
            on_cpu, off_cpu = statistics.median(r[4] for r in results[name]), statistics.median(r[4] for r in off)
            # CPU per request is the steadier figure on a shared box (req/s moves with other processes' load).
            print(f"journal on vs off, {name}: {on_rps:.0f} vs {off_rps:.0f} req/s ({(on_rps / off_rps - 1) * 100:+.1f} %), "
                  f"cpu {on_cpu:.2f} vs {off_cpu:.2f} ms/req ({(on_cpu / off_cpu - 1) * 100:+.1f} %)")
    # The bare endpoint's tail is the box's own (other processes, the GIL of one worker): on a shared
    # machine it says how much of the sends' tail is theirs.
    print(f"worst send p99 {worst:.1f} ms vs the bare endpoint's {base_p99:.1f} ms in the same runs "
          f"(+{worst - base_p99:.1f} ms)")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--all", action="store_true", help="also the SMSCPR and EngageLab sends")
    ap.add_argument("--journal", choices=("on", "off", "both"), default="on",
                    help="the request journal in the sandbox; both: a second sandbox without it, same runs")
    ap.add_argument("--env", action="append", default=[], metavar="MOCKSERVER_X=value",
                    help="a setting for the sandboxes, e.g. MOCKSERVER_BACKPRESSURE_LAG=0 on a loaded box "
                         "(its 429s would make the runs incomparable)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp())
    targets = {**SENDS, **(OTHERS if args.all else {})}
    journals = {"on": (True,), "off": (False,), "both": (True, False)}[args.journal]
    key = (lambda name, journal: label(name, journal)) if len(journals) > 1 else (lambda name, journal: name)
    procs, ports, bare_port = start(folder, journals, dict(item.split("=", 1) for item in args.env))
    try:
        before = {j: stored_messages(folder, db_name(j)) for j in journals}
        results: dict[str, list] = {"bare FastAPI POST": [], **{key(n, j): [] for n in targets for j in journals}}
        names = list(targets)
        for run in range(args.runs):
            script = folder / "req.lua"
            script.write_text(lua(BARE[0], BARE[2], BARE[3]))
            results["bare FastAPI POST"].append(wrk(f"http://127.0.0.1:{bare_port}/send", script, args.seconds,
                                                    args.connections, procs[-1].pid))
            for name in names[run % len(names):] + names[:run % len(names)]:  # no target always follows another
                method, path, headers, body = targets[name]
                script.write_text(lua(method, headers, body))
                order = list(zip(journals, ports, procs))
                for journal, port, proc in order[run % len(order):] + order[:run % len(order)]:
                    settle(proc.pid)
                    results[key(name, journal)].append(wrk(f"http://127.0.0.1:{port}{path}", script, args.seconds,
                                                             args.connections, proc.pid))
        for journal in journals:
            answered = sum(r[3] - r[2] for name in targets for r in results[key(name, journal)])
            stored = stored_messages(folder, db_name(journal)) - before[journal]
            # wrk does not count answers still in flight when it stops, so stored may exceed answered by a few.
            print(f"journal {'on' if journal else 'off'}: sends answered 2xx: {answered}, messages stored: "
                  f"{stored} ({'none lost' if stored >= answered else 'LOST ' + str(answered - stored)})")
        report(results, args)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
