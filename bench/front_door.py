"""Front-door costs on a real `mockserver serve`: catching a webhook in a request bin, listing a bin,
a Swagger UI page and its served JS bundle, each as a median round trip next to GET /_mock/health
(the baseline, measured in the same run, interleaved), one sequential client on loopback.

    .venv/bin/python -m bench.front_door [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.e2e.server import clean_env, free_port, mockserver_exe, wait_healthy

DLR = ('{"accountId": "111111111111111111111111", "msgId": "01a22ca0-293b-7751-8294-eca08a073066", '
       '"status": "DELIVERED", "errorCode": "000", "to": "+15550002222", "body": "Your code is 123456"}')
TARGETS = {
    "health (baseline)": ("GET", "/_mock/health", None),
    "POST bin (DLR-sized JSON)": ("POST", "/_mock/bins/bench", DLR),
    "GET bin requests (limit 50)": ("GET", "/_mock/bins/bench/requests", None),
    "GET /cast/docs (HTML)": ("GET", "/cast/docs", None),
    "GET swagger-ui-bundle.js": ("GET", "/_static/swagger-ui/swagger-ui-bundle.js", None),
}


def measure(client: httpx.Client, requests: int) -> dict[str, float]:
    """Median milliseconds per target; targets interleave so drift hits all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in TARGETS}
    for _ in range(requests):
        for name, (method, path, body) in TARGETS.items():
            start = time.perf_counter()
            resp = client.request(method, path, content=body, headers={"content-type": "application/json"})
            samples[name].append((time.perf_counter() - start) * 1000)
            assert resp.status_code == 200, (name, resp.status_code)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp}/b.db"})
        proc = subprocess.Popen([mockserver_exe(), "serve", "--log-level", "warning"], env=env, cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, proc)
            with httpx.Client(base_url=base, timeout=30) as client:
                medians = measure(client, args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    baseline = medians["health (baseline)"]
    print(f"{args.requests} interleaved rounds, one sequential client, loopback, {os.cpu_count()} cores")
    for name, ms in medians.items():
        print(f"  {name:32} median {ms:7.2f} ms  {ms / baseline:5.2f}x health")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
