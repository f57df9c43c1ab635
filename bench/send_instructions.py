"""Instructions per send, counted by valgrind's callgrind: the same figure on a quiet or a busy machine, so a
change of a few percent shows in one run (bench/send_cost.py's CPU times move ±20 % on a shared VM between
rounds). Each send runs in process through the whole `create_app()` stack (as in bench/send_cost.py, the
scheduler off); instrumentation is switched on only around the measured requests (callgrind_control), so
start-up is not counted. The bare `async def` endpoint of bench/bare_app.py is counted the same way.

    .venv/bin/python -m bench.send_instructions [--requests 200] [--sends "cast v1 sms/send" ...]
    MOCKSERVER_DATABASE_URL=postgresql://... .venv/bin/python -m bench.send_instructions   # PostgreSQL

    .venv/bin/python -m bench.send_instructions --split   # where a send's instructions go

--split counts each send three more ways, with parts of the route's handler replaced by a fixed answer
(`fast_path.fast_call` patched in the child, nothing else changed):
- layers: both apps' middleware, the provider's gates (journal, faults, pushback, limits), routing and the
  route's auth gate; the route answers before reading its body;
- parsed: the same plus the body's JSON parse and validation and the header parameters (FastAPI's own
  functions, as the fast path calls them); the endpoint itself is replaced;
- journal off: the whole send with MOCKSERVER_REQUEST_JOURNAL=false.
So a send = bare + (layers - bare) + (parsed - layers) + (whole - parsed): what the endpoint (the send's own
checks, its store and its answer) costs is the last term.

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
FIXED = b'{"success": true, "message_id": "fixed", "to": "639171234567", "parts": 1}'
VARIANTS = ("whole", "layers", "parsed", "journal off")


def _patch(variant: str) -> None:
    """In the child, before the app is built: replace part of every fast-path route's handler (see --split)."""
    if variant == "journal off":
        os.environ["MOCKSERVER_REQUEST_JOURNAL"] = "false"
    if variant not in ("layers", "parsed"):
        return
    from fastapi import Response

    from mockserver.providers import fast_path

    real = fast_path.fast_call

    async def fixed(**_: object) -> Response:
        return Response(FIXED, media_type="application/json")

    def patched(route):
        if real(route) is None:
            return None  # FastAPI's handler, as without the patch
        if variant == "layers":
            async def answer(request) -> Response:
                return await fixed()
            return answer
        endpoint = route.endpoint
        fixed.__annotations__ = {"return": Response}
        route.endpoint = fixed
        try:
            return real(route)  # parses and validates as before, then calls `fixed`
        finally:
            route.endpoint = endpoint

    fast_path.fast_call = patched


async def _measured(name: str, requests: int, variant: str = "whole") -> None:
    """In the child under callgrind: warm up, then count `requests` sends with instrumentation on."""
    _patch(variant)
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


def count(name: str, requests: int, variant: str = "whole") -> int:
    """Instructions per request of `name` (a key of bench.send_cost.SENDS, or "bare"), whole or one of
    VARIANTS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                              f"--callgrind-out-file={tmp}/callgrind.%p", sys.executable, "-m",
                              "bench.send_instructions", "--child", name, "--variant", variant,
                              "--requests", str(requests)],
                             capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode or not found:
        raise RuntimeError(f"{name}: callgrind run failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return int(found.group(1)) // requests


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--sends", nargs="*", default=list(SENDS))
    ap.add_argument("--split", action="store_true", help="also count layers / parsed / journal off (see above)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--variant", default="whole", choices=VARIANTS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        asyncio.run(_measured(args.child, args.requests, args.variant))
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
        if args.split:
            split(name, args.requests, bare, per)
    return 0


def split(name: str, requests: int, bare: int, whole: int) -> None:
    """Where `whole` (one send's instructions) goes: the terms of --split, each with its share of the send."""
    layers, parsed, quiet = (count(name, requests, variant) for variant in ("layers", "parsed", "journal off"))
    for label, part in (("bare endpoint", bare), ("layers, gates, auth", layers - bare),
                        ("body parse + validation", parsed - layers), ("endpoint: checks, store, answer", whole - parsed),
                        ("  of it all: the journal", whole - quiet)):
        print(f"      {label:<32} {part:>11,}  {100 * part / whole:5.1f} %")


if __name__ == "__main__":
    raise SystemExit(main())
