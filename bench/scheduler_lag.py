"""Scheduler lag under sustained sends: wrk drives a provider's send endpoint on a real `mockserver
serve` at 8 and 32 connections while /_mock/health's scheduler_lag_s (due time -> execution of the
latest transitions) is sampled every 0.25 s; then how long the backlog takes to drain. Each level runs
with backpressure off (the baseline: MOCKSERVER_BACKPRESSURE_LAG=0) and on (the default 1 s), and prints
accepted sends/s and how many were refused with the vendor's 429.

    .venv/bin/python -m bench.scheduler_lag [--runs 3] [--seconds 10] [--target "mesms send"]

Needs `wrk` (Debian package). Loopback only; rate limits off; one server per run (fresh database).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.http_sends import SENDS as TARGETS, lua, wrk


def serve(folder: Path, backpressure: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/lag.db", "MOCKSERVER_PORT": str(port),
           "MOCKSERVER_RATE_LIMIT_ENABLED": "false", "MOCKSERVER_BACKPRESSURE_LAG": backpressure}
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/_mock/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, base


def sample(base: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            try:
                out.append(client.get(f"{base}/_mock/health").json()["scheduler_lag_s"])
            except httpx.HTTPError:
                pass
            time.sleep(0.25)


def one_run(target: str, connections: int, seconds: int, backpressure: str) -> tuple[float, ...]:
    """(accepted sends/s, median lag, max lag, seconds to drain after the load, sends refused with 429)
    for one fresh server."""
    folder = Path(tempfile.mkdtemp())
    proc, base = serve(folder, backpressure)
    try:
        method, path, headers, body = TARGETS[target]
        script = folder / "send.lua"
        script.write_text(lua(method, headers, body))
        lags: list[float] = []
        stop = threading.Event()
        sampler = threading.Thread(target=sample, args=(base, stop, lags))
        sampler.start()
        rps, _, refused, _, _ = wrk(f"{base}{path}", script, seconds, connections, proc.pid)
        stop.set()
        sampler.join()
        ended = time.monotonic()
        # Drained: the last transition due (delivery_delay 3 s after the last send) has run on time.
        while time.monotonic() - ended < 120:
            if httpx.get(f"{base}/_mock/health").json()["scheduler_lag_s"] < 0.5 and time.monotonic() - ended > 4.5:
                break
            time.sleep(0.25)
        drain = time.monotonic() - ended
        accepted = rps - refused / seconds
        return accepted, statistics.median(lags or [0.0]), max(lags or [0.0]), drain, refused
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--target", default="mesms send", choices=sorted(TARGETS))
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    print(f"{args.target}: wrk {args.seconds} s per run, scheduler_lag_s sampled every 0.25 s (median of {args.runs} runs)")
    for connections in (8, 32):
        for label, backpressure in (("no pushback", "0"), ("pushback 1 s", "1")):
            runs = [one_run(args.target, connections, args.seconds, backpressure) for _ in range(args.runs)]
            med = [statistics.median(r[i] for r in runs) for i in range(5)]
            print(f"  -c{connections:<3} {label:13s} {med[0]:5.0f} sends/s accepted ({med[4]:5.0f} refused)  "
                  f"lag median {med[1]:5.2f} s  max {med[2]:5.2f} s  drained {med[3]:4.1f} s after the load  "
                  f"(max per run: {', '.join(f'{r[2]:.2f}' for r in runs)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
