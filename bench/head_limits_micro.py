"""CPU cost per request of the request-head limits (mockserver/limits.py) in uvicorn's httptools
protocol: the parser and a trivial ASGI app only (no FastAPI), against the stock protocol and an empty
subclass (the noise floor). Medians of interleaved rounds of process time, so other load matters less.

    .venv/bin/python -m bench.head_limits_micro [--rounds 15] [--requests 8000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from mockserver.limits import http_protocol

REQUEST = (b"GET /mesms/api/v2/credits HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: python-httpx/0.27\r\n"
           b"Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
           b"x-api-key: mesms_demo_key_0123456789abcdef\r\n\r\n")


async def app(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


class NullTransport:
    """Just enough of an asyncio transport for the protocol: writes go nowhere."""

    closing = False

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 1) if name in ("peername", "sockname") else default

    def write(self, data) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, *args, **kwargs) -> None:
        pass


class Plain(HttpToolsProtocol):
    pass


async def per_request(cls, n: int) -> float:
    config = Config(app=app, loop="asyncio", http=cls, log_level="error")
    config.load()
    proto = cls(config=config, server_state=ServerState(), app_state={})
    proto.connection_made(NullTransport())
    started = time.process_time()
    for _ in range(n):
        proto.data_received(REQUEST)
        await asyncio.sleep(0)  # let the request's task run and answer
        await asyncio.sleep(0)
    return (time.process_time() - started) / n * 1e6


async def main(rounds: int, requests: int) -> None:
    arms = [("stock", HttpToolsProtocol), ("empty subclass", Plain), ("limited", http_protocol(65536, 100, 10.0))]
    results: dict[str, list[float]] = {}
    for i in range(rounds):
        for name, cls in (arms if i % 2 == 0 else arms[::-1]):
            results.setdefault(name, []).append(await per_request(cls, requests))
    stock = statistics.median(results["stock"])
    for name, values in results.items():
        print(f"{name:15} {statistics.median(values):7.2f} us CPU/request  {statistics.median(values) / stock:5.3f}x")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--requests", type=int, default=8000)
    args = ap.parse_args()
    asyncio.run(main(args.rounds, args.requests))
