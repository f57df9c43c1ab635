"""What the hardening costs per request: wrk on GET /_mock/health and a provider GET and POST, against
main's code (git archive of 45cb85d, stock uvicorn + httptools) and this tree with the stock protocol
and with the request-head-limited one (mockserver/limits.py). Arms interleave; medians of --runs.

    .venv/bin/python -m bench.request_limits [--runs 3] [--seconds 4] [--base 45cb85d]

Loopback only; needs wrk and git.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import httpx

from bench.http_sends import lua, wrk

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "health": ("GET", "/_mock/health", {}, None),
    "mesms credits": ("GET", "/mesms/api/v2/credits", {"x-api-key": "mesms_demo_key_0123456789abcdef"}, None),
    "cast send (400)": ("POST", "/cast/api/sms/send",
                        {"X-API-Key": "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"},
                        '{"to": "not-a-number", "message": "hello", "sender_id": "MYAPP"}'),
}
SERVE = r'''
import sys, uvicorn
from mockserver.app import create_app
from mockserver.settings import Settings
arm, port = sys.argv[1], int(sys.argv[2])
s = Settings()
http = "httptools"
if arm == "limited":
    from mockserver.limits import http_protocol
    http = http_protocol(s.max_header_bytes, s.max_header_count, s.head_timeout)
uvicorn.run(create_app(s), host="127.0.0.1", port=port, loop="asyncio", log_level="warning", access_log=False, http=http)
'''


def old_tree(commit: str, into: Path) -> Path:
    data = subprocess.run(["git", "archive", "--format=tar", commit, "mockserver", "fixtures"], cwd=ROOT,
                          capture_output=True, check=True).stdout
    (into / "a.tar").write_bytes(data)
    with tarfile.open(into / "a.tar") as fh:
        fh.extractall(into / "src", filter="data")
    shutil.copytree(into / "src" / "fixtures", into / "src" / "mockserver" / "fixtures")
    return into / "src"


def start(arm: str, src: Path, folder: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(src), "MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/{arm}.db",
           "MOCKSERVER_RATE_LIMIT_ENABLED": "false", "MOCKSERVER_SCHEDULER_ENABLED": "false"}
    proc = subprocess.Popen([sys.executable, "-c", SERVE, arm, str(port)], env=env, cwd=src)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_mock/health").status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{arm} did not start")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--base", default="45cb85d")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    arms = {"main": old_tree(args.base, folder), "stock": ROOT, "limited": ROOT}
    servers = {arm: start(arm, src, folder) for arm, src in arms.items()}
    results: dict[tuple[str, str], list[float]] = {}
    try:
        for name, (method, path, headers, body) in TARGETS.items():
            script = folder / "t.lua"
            script.write_text(lua(method, headers, body))
            for _ in range(args.runs):
                for arm, (_, port) in servers.items():
                    rps, _, _ = wrk(f"http://127.0.0.1:{port}{path}", script, args.seconds, 8)
                    results.setdefault((name, arm), []).append(rps)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=10)
    print(f"{'target':18} {'main':>9} {'stock':>9} {'limited':>9}  stock/main  limited/stock")
    for name in TARGETS:
        m, s, lim = (statistics.median(results[(name, arm)]) for arm in ("main", "stock", "limited"))
        print(f"{name:18} {m:9.0f} {s:9.0f} {lim:9.0f}  {s / m:10.2f}  {lim / s:13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
