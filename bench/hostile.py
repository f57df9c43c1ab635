"""Hostile peers against a real `mockserver serve` (issue 24): while balanced 8 MB nested JSON bodies
and 32 webhook receivers that answer an endless header line are in flight, how fast does
/_mock/health answer and how much does the server's RSS grow? Prints the figures.

    .venv/bin/python -m bench.hostile [--seconds 15] [--receivers 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/hostile.db", "MOCKSERVER_PORT": str(port),
           "MOCKSERVER_HOST": "127.0.0.1", "MOCKSERVER_RATE_LIMIT_ENABLED": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_mock/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


class EndlessHeaders:
    """Receivers that answer every request with a header line that never ends (until the client hangs up)."""

    def __init__(self, count: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.ports: list[int] = []
        self.sent = 0
        ready = threading.Event()
        threading.Thread(target=self._run, args=(count, ready), daemon=True).start()
        ready.wait(10)

    def _run(self, count: int, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        for _ in range(count):
            server = self.loop.run_until_complete(asyncio.start_server(self._answer, "127.0.0.1", 0))
            self.ports.append(server.sockets[0].getsockname()[1])
        ready.set()
        self.loop.run_forever()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        filler = b"a" * 65536
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nX-Endless: ")
            while True:
                writer.write(filler)
                self.sent += len(filler)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


def nested_body(size: int = 8_000_000) -> bytes:
    """Balanced brackets nested 64 deep, repeated: the depth check must read all of it."""
    body = b'{"a":[' + b",".join([b"[" * 62 + b"]" * 62] * (size // 125)) + b"]}"
    return body + b" " * max(0, size - len(body))


def fire_nested(url: str, stop: threading.Event, answers: list[int]) -> None:
    body = nested_body()
    while not stop.is_set():
        try:
            answers.append(httpx.post(f"{url}/mesms/api/v2/sms/send", content=body, timeout=120,
                                      headers={"Content-Type": "application/json"}).status_code)
        except httpx.HTTPError:
            answers.append(0)


def queue_webhooks(url: str, ports: list[int], per_receiver: int) -> None:
    key = tomllib.loads((ROOT / "fixtures" / "smscpr.toml").read_text())["accounts"][0]["keys"][0]["key"]
    with httpx.Client(timeout=30) as c:
        for i in range(per_receiver):
            for port in ports:
                c.post(f"{url}/smscpr/v1/sendsms", headers={"Authorization": f"Bearer {key}"},
                       json={"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111",
                             "to": f"+1555000{port % 10000:04d}", "body": f"hi {i}",
                             "callbackUrl": f"http://127.0.0.1:{port}/hook"})
        c.post(f"{url}/_mock/clock/advance", json={"seconds": 600})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--receivers", type=int, default=32)
    parser.add_argument("--no-nested", action="store_true", help="receivers only (to split the figures)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        proc, url = start_server(Path(folder))
        try:
            return run(proc, url, args)
        finally:
            proc.terminate()
            proc.wait(10)


def run(proc: subprocess.Popen, url: str, args: argparse.Namespace) -> int:
    receivers = EndlessHeaders(args.receivers)
    for _ in range(20):
        httpx.get(f"{url}/_mock/health")
    idle = rss_mb(proc.pid)
    queue_webhooks(url, receivers.ports, per_receiver=2)
    stop, answers = threading.Event(), []
    nested = threading.Thread(target=fire_nested, args=(url, stop, answers), daemon=True)
    if not args.no_nested:
        nested.start()
    latencies, peak = [], idle
    deadline = time.monotonic() + args.seconds
    with httpx.Client(timeout=60) as c:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            c.get(f"{url}/_mock/health")
            latencies.append((time.perf_counter() - started) * 1000)
            peak = max(peak, rss_mb(proc.pid))
            time.sleep(0.05)
        stop.set()
        if nested.is_alive():
            nested.join(130)
        hooks = c.get(f"{url}/_mock/webhooks", params={"limit": 500}).json()["items"]
    attempts = sum(h.get("attempts", 0) for h in hooks)
    latencies.sort()
    print(f"health: {len(latencies)} samples, p50 {statistics.median(latencies):.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"rss: idle {idle:.0f} MB, peak {peak:.0f} MB, growth {peak - idle:.0f} MB")
    print(f"nested 8 MB bodies answered: {len(answers)} ({sorted(set(answers))}); "
          f"webhook attempts logged: {attempts} over {len(hooks)} webhooks; "
          f"bytes the receivers wrote (kernel buffers included): {receivers.sent / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
