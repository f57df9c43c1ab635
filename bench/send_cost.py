"""Each send's CPU in process, next to a bare FastAPI `async def` JSON POST endpoint driven the same way:
the whole `create_app()` stack (guards, fault and journal gates, the vendor's auth, validation, storage)
called through ASGI with no socket, so the figure is what the sandbox adds per request and a loaded
machine does not blur it (process CPU, medians of interleaved rounds). wrk over loopback
(bench/http_sends.py) adds uvicorn's protocol and the kernel; this isolates the application.

    .venv/bin/python -m bench.send_cost [--requests 2000] [--rounds 5] [--journal on|off|both]
                                        [--scheduler]

Settings come from MOCKSERVER_* like the server's, so the same script runs against an older checkout
(run it with that checkout's python) for a before/after in one sitting. The scheduler is off unless
--scheduler: its work happens after the answer and is measured by bench/scheduler_lag.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import statistics
import tempfile
import time

from bench import bare_app

CAST_KEY = "cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"
CAST_BODY = b'{"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"}'
SENDS = {
    "cast v1 sms/send": ("/cast/api/v1/sms/send", [(b"x-api-key", CAST_KEY.encode())], CAST_BODY),
    "cast sms/send (legacy)": ("/cast/api/sms/send", [(b"x-api-key", CAST_KEY.encode())], CAST_BODY),
    "mesms send": ("/mesms/api/v2/sms/send", [(b"x-api-key", b"mesms_demo_key_0123456789abcdef")],
                   b'{"sender": "MeSMS", "content": "hello", "msisdns": ["0812345678"]}'),
    "smscpr sendsms": ("/smscpr/v1/sendsms",
                       [(b"authorization", b"Bearer smscpr_sandbox_token_111111111111111111111111")],
                       b'{"servicePlanId": "222222222222222222222222", "channel": "SMS", "from": "+15550001111", '
                       b'"to": "+15550002222", "body": "Your verification code is 123456"}'),
}


bare = bare_app.app  # the baseline of bench/http_sends.py too: one async def JSON POST endpoint


async def drive(app, path: str, headers: list, body: bytes, requests: int) -> tuple[float, int]:
    """Process CPU seconds for `requests` POSTs of `body` to `path`, and how many answered 2xx."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()), (b"user-agent", b"bench"), *headers],
             "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000)}
    ok = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal ok
        if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
            ok += 1

    started = time.process_time()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    return time.process_time() - started, ok


async def measure(journal_modes: list[bool], requests: int, rounds: int, scheduler: bool) -> None:
    from mockserver.app import create_app
    from mockserver.settings import Settings

    folder = tempfile.mkdtemp()
    apps, stack = {}, contextlib.AsyncExitStack()
    for journal in journal_modes:
        os.environ.update({"MOCKSERVER_DATABASE_URL": f"sqlite:///{folder}/journal-{journal}.db",
                           "MOCKSERVER_RATE_LIMIT_ENABLED": "false", "MOCKSERVER_SEED": "1",
                           "MOCKSERVER_SCHEDULER_ENABLED": str(scheduler).lower(),
                           "MOCKSERVER_REQUEST_JOURNAL": str(journal).lower()})
        app = create_app(Settings())
        await stack.enter_async_context(app.router.lifespan_context(app))
        apps[journal] = app
    gc.collect()
    gc.freeze()  # as `mockserver serve` does after startup (mockserver/__main__.py freeze_startup_heap)
    cpu: dict[str, list[float]] = {}
    for _ in range(rounds):
        cpu.setdefault("bare", []).append((await drive(bare, "/send", [], CAST_BODY, requests))[0] / requests)
        for name, (path, headers, body) in SENDS.items():
            for journal, app in apps.items():
                spent, ok = await drive(app, path, headers, body, requests)
                assert ok == requests, f"{name}: {requests - ok} of {requests} not 2xx"
                cpu.setdefault(f"{name} [journal {'on' if journal else 'off'}]", []).append(spent / requests)
    await stack.aclose()
    base = statistics.median(cpu.pop("bare"))
    print(f"{requests} requests x {rounds} rounds, process CPU per request (medians), ratio = bare / send:")
    print(f"  {'bare async def endpoint':<40} {base * 1e6:8.1f} us  1.00x")
    for name, values in cpu.items():
        spent = statistics.median(values)
        print(f"  {name:<40} {spent * 1e6:8.1f} us  {base / spent:.3f}x")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--journal", choices=["on", "off", "both"], default="on")
    ap.add_argument("--scheduler", action="store_true")
    args = ap.parse_args()
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.journal]
    asyncio.run(measure(modes, args.requests, args.rounds, args.scheduler))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
