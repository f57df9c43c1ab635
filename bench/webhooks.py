"""Webhook throughput vs the receiver's own capacity, measured in the same run: wrk against a local
receiver gives its req/s; then the delivery client alone (core/delivery/client.Poster: aiohttp with the
hostile-receiver limits of session.py) beside a plain aiohttp session (what the limits cost) and httpx;
then the dispatcher delivering N outbox rows to it end to end (claim with a lease, POST, attempt
logged, state written back), per lane size. Every figure is a ratio to the receiver's wrk capacity.

    .venv/bin/python -m bench.webhooks [--count 5000] [--runs 3] [--hostile]

--hostile measures issue 24's hostile receivers instead: 32 of each kind (endless header value, endless body,
endless header lines, a 1xx flood; served from another process) posted to at once by the delivery
client; prints the time, the client's RSS growth and the longest event-loop stall.

Needs `wrk` (Debian package). Loopback only. The receiver is a minimal keep-alive HTTP/1.1 server in
another process; the sandbox side runs in this process on the plain asyncio loop, as the server runs
its dispatcher (uvicorn with loop="asyncio", mockserver/__main__.py).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

from mockserver.core.delivery.client import Poster
from mockserver.core.notify import OutgoingWebhook
from mockserver.core.runtime import Runtime
from mockserver.settings import Settings

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
BODY = '{"status":"delivered","message_id":"m-%d","to":"+639170000001","at":"2026-11-30T10:00:00Z"}'
#: (label, per-host lane, overall cap): the outbox end to end
CASES = (("lane 16 (default)", 16, 64), ("lane 32", 32, 64))
#: The bare clients compared, 16 requests in flight: ours, plain aiohttp (the limits' cost), httpx.
BARE = ("delivery", "aiohttp", "httpx")


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


def _serve(sock: socket.socket) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_handle, sock=sock)
        await server.serve_forever()
    asyncio.run(main())


def receiver_capacity(url: str, seconds: int) -> float:
    """wrk POSTing a webhook-sized body to the receiver: its req/s on this box, now."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f'wrk.body = [[{BODY % 1}]]\n')
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "-s", f.name, url],
                         capture_output=True, text=True, check=True).stdout
    Path(f.name).unlink()
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


async def _deliver(runtime: Runtime, url: str, count: int) -> float:
    hooks = [OutgoingWebhook(url=url, body=BODY % i, ordering_key=f"k{i}") for i in range(count)]
    with runtime.db.write() as conn:
        runtime.enqueue_webhooks(conn, "bench", "bench", None, hooks, runtime.clock.now())
    stop = asyncio.Event()
    started = time.perf_counter()
    pump = asyncio.create_task(runtime.dispatcher.run(stop))  # as the server's lifespan runs it
    while runtime.dispatcher.attempts < count:
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    stop.set()
    await pump
    await runtime.dispatcher.close()
    return elapsed


async def _bare_client(url: str, count: int, concurrency: int, client_name: str) -> float:
    """The client alone, no outbox: POSTs/s with `concurrency` in flight (the ceiling of each library)."""
    gate = asyncio.Semaphore(concurrency)
    if client_name == "httpx":
        client = httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency))
        post = lambda i: client.post(url, content=(BODY % i).encode())  # noqa: E731
    elif client_name == "aiohttp":
        client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
        post = lambda i: _aiohttp_post(client, url, i)  # noqa: E731
    else:
        client = Poster(5.0, concurrency, concurrency)
        post = lambda i: _checked(client.post(url, BODY % i, {"Content-Type": "application/json"}))  # noqa: E731

    async def one(i: int) -> None:
        async with gate:
            await post(i)
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    await (client.aclose() if client_name == "httpx" else client.close())
    return count / elapsed


async def _checked(attempt) -> None:
    result = await attempt
    assert result.ok, result


async def _aiohttp_post(session, url: str, i: int) -> None:
    async with session.post(url, data=(BODY % i).encode()) as resp:
        await resp.read()


def deliveries_per_second(url: str, count: int, per_host: int, total: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", load_fixtures=False, seed=1,
                            webhook_per_host_concurrency=per_host, webhook_concurrency=total)
        runtime = Runtime(settings)
        elapsed = asyncio.run(_deliver(runtime, url, count))
        delivered = runtime.db.conn().execute("SELECT count(*) FROM webhook WHERE status = 'delivered'").fetchone()[0]
        logged = runtime.db.conn().execute("SELECT count(*) FROM webhookattempt").fetchone()[0]
        runtime.db.close()
    assert delivered == logged == count, (delivered, logged, count)
    return count / elapsed


HOSTILE = {"endless header value": (b"HTTP/1.1 200 OK\r\nX-Endless: ", b"a" * 65536),
           "endless body": (b"HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n", b"b" * 65536),
           "endless header lines": (b"HTTP/1.1 200 OK\r\n", b"X-H: v\r\n" * 8192),
           "1xx flood": (b"", b"HTTP/1.1 100 Continue\r\n\r\n" * 2000)}


def _hostile_serve(first: bytes, filler: bytes, socks: list[socket.socket]) -> None:
    """Each connection: read the request, send `first`, then `filler` until the client hangs up."""
    import threading

    def answer(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(first)
            while True:
                conn.sendall(filler)
        except OSError:
            conn.close()

    def accept(sock: socket.socket) -> None:
        while True:
            threading.Thread(target=answer, args=(sock.accept()[0],), daemon=True).start()
    for sock in socks:
        threading.Thread(target=accept, args=(sock,), daemon=True).start()
    time.sleep(3600)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))


async def _hostile_round(urls: list[str]) -> tuple[float, float, float, set]:
    """(seconds, RSS growth MB, longest loop stall s, outcomes) of one POST to each URL at once."""
    poster = Poster(10.0, total=64, per_host=4)
    await poster.post("http://127.0.0.1:9/warm-up", "{}", {})  # the session exists before measuring
    before = peak = _rss_mb()
    stall, last, started = 0.0, time.perf_counter(), time.perf_counter()
    task = asyncio.gather(*(poster.post(url, "{}", {}) for url in urls))
    while not task.done():
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        stall, last, peak = max(stall, now - last - 0.01), now, max(peak, _rss_mb())
    results = await task
    elapsed = time.perf_counter() - started
    await poster.close()
    return elapsed, peak - before, stall, {r.status if r.status else (r.error or "")[:48] for r in results}


def hostile(count: int = 32) -> None:
    for kind, (first, filler) in HOSTILE.items():
        socks = [socket.socket() for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
            sock.listen(16)
        server = multiprocessing.Process(target=_hostile_serve, args=(first, filler, socks), daemon=True)
        server.start()
        try:
            urls = [f"http://127.0.0.1:{sock.getsockname()[1]}/hook" for sock in socks]
            elapsed, grown, stall, outcomes = asyncio.run(_hostile_round(urls))
        finally:
            server.terminate()
            for sock in socks:
                sock.close()
        print(f"  {count} x {kind:21s} {elapsed:5.2f} s  RSS +{grown:5.1f} MB  loop stall max {stall * 1000:4.0f} ms"
              f"  {sorted(map(str, outcomes))}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--hostile", action="store_true", help="the hostile receivers (issue 24) instead")
    args = ap.parse_args()
    if args.hostile:
        print("hostile receivers, the delivery client alone:")
        hostile()
        return 0
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/dlr"
    receiver = multiprocessing.Process(target=_serve, args=(sock,), daemon=True)
    receiver.start()
    try:
        capacity = statistics.median(receiver_capacity(url, args.wrk_seconds) for _ in range(args.runs))
        print(f"receiver capacity (wrk -c64, median of {args.runs}): {capacity:,.0f} req/s")
        for name in BARE:
            rates = [asyncio.run(_bare_client(url, args.count, 16, name)) for _ in range(args.runs)]
            rate = statistics.median(rates)
            label = f"bare {name} client, 16 in flight"
            print(f"  {label:34s} {rate:7,.0f} POST/s      {rate / capacity:5.3f}x receiver  "
                  f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})")
        for label, per_host, total in CASES:
            rates = [deliveries_per_second(url, args.count, per_host, total) for _ in range(args.runs)]
            rate = statistics.median(rates)
            print(f"  outbox, {label:26s} {rate:7,.0f} webhooks/s  {rate / capacity:5.3f}x receiver  "
                  f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})")
    finally:
        receiver.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
