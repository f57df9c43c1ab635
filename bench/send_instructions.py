"""Instructions per send, counted by valgrind's callgrind: the same figure on a quiet or a busy machine, so a
change of a few percent shows in one run (bench/send_cost.py's CPU times move ±20 % on a shared VM between
rounds). Each send runs in process through the whole `create_app()` stack (as in bench/send_cost.py, the
scheduler off); instrumentation is switched on only around the measured requests (callgrind_control), so
start-up is not counted. The bare `async def` endpoint of bench/bare_app.py is counted the same way.

    .venv/bin/python -m bench.send_instructions [--requests 200] [--sends "cast v1 sms/send" ...]
    MOCKSERVER_DATABASE_URL=postgresql://... .venv/bin/python -m bench.send_instructions   # PostgreSQL

Needs valgrind (Debian package). For a before/after, run it from each checkout (the current directory's
`mockserver` is the one imported). Counts include every thread (the group writer's, the journal's).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench import bare_app
from bench.send_cost import CAST_BODY, SENDS, drive

WARM_UP = 50


async def _measured(name: str, requests: int) -> None:
    """In the child under callgrind: warm up, then count `requests` sends with instrumentation on."""
    if name == "bare":
        app, path, headers, body = bare_app.app, "/send", [], CAST_BODY
        await _count(app, path, headers, body, requests)
        return
    from mockserver.app import create_app
    from mockserver.settings import Settings

    folder = tempfile.mkdtemp()
    os.environ.setdefault("MOCKSERVER_DATABASE_URL", f"sqlite:///{folder}/instructions.db")
    os.environ.update({"MOCKSERVER_RATE_LIMIT_ENABLED": "false", "MOCKSERVER_SEED": "1",
                       "MOCKSERVER_SCHEDULER_ENABLED": "false"})
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        path, headers, body = SENDS[name]
        await _count(app, path, headers, body, requests)


async def _count(app, path: str, headers: list, body: bytes, requests: int) -> None:
    _, ok = await drive(app, path, headers, body, WARM_UP)
    assert ok == WARM_UP, f"{path}: {WARM_UP - ok} of {WARM_UP} warm-up requests not 2xx"
    gc.collect()
    gc.freeze()  # as `mockserver serve` does after startup
    _toggle("on")
    _, ok = await drive(app, path, headers, body, requests)
    _toggle("off")
    assert ok == requests, f"{path}: {requests - ok} of {requests} not 2xx"


def _toggle(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], capture_output=True, check=True)


def count(name: str, requests: int) -> int:
    """Instructions per request of `name` (a key of bench.send_cost.SENDS, or "bare")."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                              f"--callgrind-out-file={tmp}/callgrind.%p", sys.executable, "-m",
                              "bench.send_instructions", "--child", name, "--requests", str(requests)],
                             capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode or not found:
        raise RuntimeError(f"{name}: callgrind run failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return int(found.group(1)) // requests


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--sends", nargs="*", default=list(SENDS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        asyncio.run(_measured(args.child, args.requests))
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    database = os.environ.get("MOCKSERVER_DATABASE_URL", "sqlite (a fresh file)").split("@")[-1]
    bare = count("bare", args.requests)
    print(f"instructions per request (callgrind, {args.requests} requests each, database {database}):")
    print(f"  {'bare async def endpoint':<28} {bare:>11,}  1.00x")
    for name in args.sends:
        per = count(name, args.requests)
        print(f"  {name:<28} {per:>11,}  {per / bare:5.2f}x bare")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
