"""The request journal's CPU per request, in process (so a loaded machine does not blur it): a Cast-sized
send through a stand-in ASGI app, with and without the JournalGate (interleaved rounds), plus the batch
write (redaction, INSERT, prune into SQLite) of the entries, as process CPU per request. Compare with a
real send's server CPU per request from bench/http_sends.py (about 1.4-1.8 ms on the 2-core box).

    .venv/bin/python -m bench.journal_cost [--requests 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time

from mockserver.core.runtime import Runtime
from mockserver.providers.journal import JournalGate
from mockserver.settings import Settings

BODY = b'{"to": "09171234567", "message": "Your verification code is 123456.", "sender_id": "MYAPP"}'
ANSWER = b'{"success": true, "message_id": "CAST0000000000000001", "status": "queued", "credits_used": 1}'
HEADERS = [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"), (b"content-length", b"95"),
           (b"x-api-key", b"cast_726561646d652e6d6f636b7365727665722e636173742e73616e64626f783031"),
           (b"user-agent", b"wrk")]


async def vendor_app(scope: dict, receive, send) -> None:
    """What every send does at the ASGI edge: read the body, answer JSON."""
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": ANSWER})


async def drive(app, requests: int) -> float:
    """Process CPU seconds for `requests` calls of `app`."""
    scope = {"type": "http", "method": "POST", "path": "/cast/api/v1/sms/send", "root_path": "/cast",
             "query_string": b"", "headers": HEADERS, "client": ("127.0.0.1", 5555)}

    async def receive() -> dict:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict) -> None:
        pass

    started = time.process_time()
    for _ in range(requests):
        await app(scope, receive, send)
    return time.process_time() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    folder = tempfile.mkdtemp()
    runtime = Runtime(Settings(database_url=f"sqlite:///{folder}/bench.db", scheduler_enabled=False, seed=1))
    journal = runtime.journal
    journal._start = lambda: None  # no background thread: the batch write is timed below, on its own
    gated = JournalGate(vendor_app, journal, "cast")
    bare, gate, write = [], [], []
    for _ in range(args.rounds):
        bare.append(asyncio.run(drive(vendor_app, args.requests)) / args.requests)
        gate.append(asyncio.run(drive(gated, args.requests)) / args.requests)
        started = time.process_time()
        written = 0
        while journal._pending:
            written += journal.flush()
        write.append((time.process_time() - started) / max(written, 1))
    us = lambda values: statistics.median(values) * 1e6  # noqa: E731
    print(f"{args.requests} requests x {args.rounds} rounds (medians), process CPU per request:")
    print(f"  stand-in app alone            {us(bare):7.1f} us")
    print(f"  with the JournalGate          {us(gate):7.1f} us  (+{us(gate) - us(bare):.1f} us on the request path)")
    print(f"  batch write (redact + insert) {us(write):7.1f} us  (off the request path, one thread)")
    print(f"  journal total                 {us(gate) - us(bare) + us(write):7.1f} us per request")
    asyncio.run(runtime.close())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
