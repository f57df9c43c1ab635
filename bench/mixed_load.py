"""Mixed load, `serve --workers 1` against the default (`serve` with no --workers), in one run: 32
keep-alive clients send round robin over the four providers' send endpoints with the fixture
credentials for --seconds each; every fixture account's DLR URL points at a local receiver, so the
status webhooks go out during the load. Prints, per mode: sends accepted (2xx), refused with 429 (and
how many of those were send pushback), 5xx, other answers, DLR webhooks received during the load, and
/_mock/health's scheduler_lag_s (median and max, sampled every 0.5 s); then the ratios default / 1.

    .venv/bin/python -m bench.mixed_load [--seconds 60] [--clients 32] [--modes 1,default]

Default settings otherwise (pushback on at its default 1 s), but the vendors' rate limits off: 32
clients on one fixture account per provider would otherwise be refused by the emulated vendor limit
whatever the server's capacity (--rate-limits keeps them). SQLite file in a temp folder, a fresh one
per mode. The clients and the receiver share this process (aiohttp), the same for
every mode, so the ratio compares servers on the same box.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.http_sends import OTHERS, SENDS

TARGETS = [SENDS["cast v1 sms/send"], SENDS["mesms send"], OTHERS["smscpr sendsms"], OTHERS["engagelab messages"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, workers: str, rate_limits: bool) -> tuple[subprocess.Popen, str]:
    """A fresh server on its own SQLite file; `workers` "default" passes no --workers at all."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    env.update({"MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/mixed.db", "MOCKSERVER_PORT": str(port),
                "MOCKSERVER_RATE_LIMIT_ENABLED": str(rate_limits).lower()})
    argv = [sys.executable, "-m", "mockserver", "serve", "--log-level", "warning"]
    if workers != "default":
        argv += ["--workers", workers]
    return subprocess.Popen(argv, env=env, cwd=folder), f"http://127.0.0.1:{port}"


async def ready(http: aiohttp.ClientSession, base: str, proc: subprocess.Popen) -> list[dict]:
    """Wait for health 200 and every process alive; returns the process list."""
    for _ in range(1200):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"{base}/_mock/health") as resp:
                if resp.status == 200:
                    body = await resp.json()
                    if all(p["alive"] for p in body["processes"]):
                        return body["processes"]
        await asyncio.sleep(0.1)
    raise SystemExit("server never became healthy")


async def point_dlrs_at(http: aiohttp.ClientSession, base: str, url: str) -> None:
    """Every fixture account: DLRs to the receiver, and credits that last the whole run."""
    async with http.get(f"{base}/_mock/accounts") as resp:
        accounts = await resp.json()
    for acc in accounts:
        async with http.patch(f"{base}/_mock/accounts/{acc['id']}", json={"dlr_url": url, "credits": 10**9}) as resp:
            if resp.status != 200:
                print(f"  (account {acc['id']}: PATCH answered {resp.status})", file=sys.stderr)


async def client(base: str, index: int, until: float, answers: Counter) -> None:
    """One keep-alive connection sending round robin over the four providers until `until`."""
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as http:
        i = index
        while time.monotonic() < until:
            method, path, headers, body = TARGETS[i % len(TARGETS)]
            i += 1
            try:
                async with http.request(method, base + path, data=body,
                                        headers={**headers, "Content-Type": "application/json"}) as resp:
                    await resp.read()
                    answers[resp.status // 100 * 100 if resp.status != 429 else 429] += 1
            except aiohttp.ClientError:
                answers[0] += 1


async def sample_lag(http: aiohttp.ClientSession, base: str, until: float, lags: list[float]) -> None:
    while time.monotonic() < until:
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"{base}/_mock/health") as resp:
                lags.append((await resp.json())["scheduler_lag_s"])
        await asyncio.sleep(0.5)


async def one_mode(workers: str, args: argparse.Namespace, receiver_url: str, dlrs: list[int]) -> dict:
    seconds, clients = args.seconds, args.clients
    folder = Path(tempfile.mkdtemp())
    proc, base = serve(folder, workers, args.rate_limits)
    try:
        async with aiohttp.ClientSession() as http:
            procs = await ready(http, base, proc)
            await point_dlrs_at(http, base, receiver_url)
            answers: Counter = Counter()
            lags: list[float] = []
            received_before = dlrs[0]
            until = time.monotonic() + seconds
            await asyncio.gather(sample_lag(http, base, until, lags),
                                 *(client(base, i, until, answers) for i in range(clients)))
            received = dlrs[0] - received_before
            async with http.get(f"{base}/_mock/health") as resp:
                pushback = (await resp.json())["backpressure"]["refused"]
        return {"processes": "+".join(p["role"] for p in procs), "accepted": answers[200], "429": answers[429],
                "pushback": pushback, "5xx": answers[500], "other": sum(n for k, n in answers.items()
                                                                         if k not in (200, 429, 500)),
                "dlrs": received, "lag_median": statistics.median(lags or [0.0]), "lag_max": max(lags or [0.0])}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


async def run(args: argparse.Namespace) -> None:
    dlrs = [0]

    async def receive(request: web.Request) -> web.Response:
        await request.read()
        dlrs[0] += 1
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/dlr"
    print(f"mixed load: {args.clients} keep-alive clients x {args.seconds} s, round robin over cast, mesms, smscpr, "
          f"engagelab; DLRs to a local receiver; rate limits {'on' if args.rate_limits else 'off'}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for mode in args.modes.split(","):
        r = results[mode] = await one_mode(mode, args, url, dlrs)
        print(f"  --workers {mode:8s} [{r['processes']}] accepted {r['accepted']:6d} ({r['accepted'] / args.seconds:5.0f}/s)"
              f"  429 {r['429']:6d} (pushback {r['pushback']})  5xx {r['5xx']}  other {r['other']}"
              f"  DLRs {r['dlrs']:6d} ({r['dlrs'] / args.seconds:4.0f}/s)"
              f"  lag median {r['lag_median']:.2f} s max {r['lag_max']:.2f} s", flush=True)
    await runner.cleanup()
    if "1" in results and len(results) > 1:
        base = results["1"]
        for mode, r in results.items():
            if mode != "1":
                print(f"  ratio {mode} / 1: accepted {r['accepted'] / max(base['accepted'], 1):.2f}x, "
                      f"DLRs {r['dlrs'] / max(base['dlrs'], 1):.2f}x, 429 {r['429']} vs {base['429']}, "
                      f"lag max {r['lag_max']:.2f} vs {base['lag_max']:.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--modes", default="1,default", help="comma-separated --workers values; default = no flag")
    ap.add_argument("--rate-limits", action="store_true",
                    help="keep the vendors' rate limits on (their 429s then mix with pushback's)")
    asyncio.run(run(ap.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
