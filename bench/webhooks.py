"""Webhook throughput: deliveries/s from the persistent outbox to a local receiver, end to end
(outbox query, POST through the shared httpx client, attempt log and state written back).

    /work/.venv/bin/python -m bench.webhooks [count]

The receiver is a minimal keep-alive HTTP/1.1 server in another process, so it is not the limit.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import sys
import tempfile
import time

from mockserver.core.notify import OutgoingWebhook
from mockserver.core.runtime import Runtime
from mockserver.settings import Settings

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"


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


async def _run(runtime: Runtime, url: str, count: int) -> float:
    now = runtime.clock.now()
    hooks = [OutgoingWebhook(url=url, body='{"status":"delivered","n":%d}' % i, ordering_key=f"k{i}")
             for i in range(count)]
    with runtime.db.write() as conn:
        runtime.enqueue_webhooks(conn, "bench", "bench", None, hooks, now)
    started = time.perf_counter()
    done = 0
    while done < count:
        done += await runtime.dispatcher.deliver_due()
    elapsed = time.perf_counter() - started
    await runtime.dispatcher.close()
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/dlr"
    receiver = multiprocessing.Process(target=_serve, args=(sock,), daemon=True)
    receiver.start()
    try:
        for concurrency in (1, 10):
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", load_fixtures=False, seed=1,
                                    webhook_concurrency=concurrency)
                runtime = Runtime(settings)
                elapsed = asyncio.run(_run(runtime, url, count))
                runtime.db.close()
            print(f"concurrency {concurrency:>2}: {count} webhooks in {elapsed:.2f} s = {count / elapsed:,.0f} deliveries/s")
    finally:
        receiver.terminate()


if __name__ == "__main__":
    main()
