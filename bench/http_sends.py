"""Send throughput over HTTP: wrk against a real `mockserver serve`, each provider's send endpoint
next to GET /_mock/health (the baseline in the same run), printing req/s, p99 and the ratio.

    /work/.venv/bin/python -m bench.http_sends [--runs 3] [--seconds 5] [--connections 8]

Needs `wrk` (Debian package). Loopback only; the server runs with rate limits off.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TARGETS = {
    "health": ("GET", "/_mock/health", {}, None),
    "cast sms/send": ("POST", "/cast/api/sms/send",
                      {"X-API-Key": "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"},
                      '{"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"}'),
    "smscpr sendsms": ("POST", "/smscpr/v1/sendsms",
                       {"Authorization": "Bearer smscpr_sandbox_token_111111111111111111111111"},
                       '{"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111", '
                       '"to": "+15550002222", "body": "Your verification code is 123456"}'),
    "mesms send": ("POST", "/mesms/api/v2/sms/send", {"x-api-key": "mesms_demo_key_0123456789abcdef"},
                   '{"sender": "MeSMS", "content": "hello", "msisdns": ["0812345678"]}'),
    "engagelab messages": ("POST", "/engagelab/v1/messages",
                           {"Authorization": "Basic ZW5nYWdlbGFiX2Rldl9rZXk6ZW5nYWdlbGFiX2Rldl9zZWNyZXQ="},
                           '{"to": ["923700056581"], "template": {"id": 1233, "params": {"content": "x"}}}'),
}


def lua(method: str, headers: dict, body: str | None) -> str:
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body:
        lines.append("wrk.body = [[" + body + "]]")
    return "\n".join(lines) + "\n"


def wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, float, int]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return rps, p99, bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = Path(tempfile.mkdtemp())
    env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/bench.db", "MOCKSERVER_PORT": str(port),
           "MOCKSERVER_RATE_LIMIT_ENABLED": "false"}
    server = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"], env=env)
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_mock/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in TARGETS}
        for run in range(args.runs):
            for name, (method, path, headers, body) in TARGETS.items():
                script = folder / "req.lua"
                script.write_text(lua(method, headers, body))
                results[name].append(wrk(f"http://127.0.0.1:{port}{path}", script, args.seconds, args.connections))
        base = statistics.median(r[0] for r in results["health"])
        print(f"one worker, wrk -c{args.connections}, {args.seconds} s x {args.runs} runs (medians)")
        for name, runs in results.items():
            rps = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            bad = sum(r[2] for r in runs)
            print(f"  {name:20s} {rps:8.0f} req/s  p99 {p99:7.1f} ms  {rps / base:5.2f}x health  non-2xx {bad}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
