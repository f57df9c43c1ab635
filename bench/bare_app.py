"""The baseline of bench/http_sends.py: a bare FastAPI JSON POST endpoint (one pydantic body model, a
JSON answer, no storage) served by the same uvicorn configuration as `mockserver serve`.

    python -m bench.bare_app --port 8123
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from mockserver.__main__ import bind_socket, uvicorn_config
from mockserver.settings import Settings


class SendRequest(BaseModel):
    to: str
    message: str
    sender_id: str | None = None


app = FastAPI()


@app.post("/send")
async def send(body: SendRequest) -> dict:
    """Echo a send-shaped answer: what FastAPI + pydantic + uvicorn cost without any sandbox work. `async def`:
    a sync `def` endpoint pays a threadpool hop per request (measured 2.6x slower), a slowed baseline."""
    return {"success": True, "message_id": "bare-1", "to": body.to, "parts": 1}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    sock = bind_socket("127.0.0.1", args.port)
    uvicorn.Server(uvicorn_config(app, Settings(), "127.0.0.1", args.port, "warning")).run(sockets=[sock])


if __name__ == "__main__":
    main()
