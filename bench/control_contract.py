"""What checking the big /_mock list pages against their response models (control/schemas.py) would cost
per request: the answer dumped as built (what those routes do, views.listing: the bytes FastAPI made of a
`-> dict` route before) against validating it by the declared model and dumping that, interleaved rounds of
process CPU, next to the whole GET through the app (SQL and views included): the share a request would pay.

    .venv/bin/python -m bench.control_contract [--messages 500] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from mockserver.app import create_app
from mockserver.control.schemas import JournaledRequest, Message, Page, Webhook
from mockserver.settings import Settings


def cpu_ms(fn, repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat * 1000


def seed(client: TestClient, messages: int) -> None:
    """`messages` Cast sends (each a request in the journal) whose DLRs fail against a closed port."""
    acc = client.post("/_mock/accounts", json={"provider": "cast", "dlr_url": "http://127.0.0.1:9/dlr"}).json()
    headers = {"X-API-Key": acc["credentials"]["api_key"]}
    for i in range(messages):
        client.post("/cast/api/v1/sms/send", headers=headers,
                    json={"to": f"0917{i:07d}", "message": f"Your code is {100000 + i}"})
    client.post("/_mock/clock/advance", json={"seconds": 30})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    limit = min(args.messages, 500)
    pages = (("messages", "/_mock/messages", {"limit": limit}, Page[Message]),
             ("webhooks", "/_mock/webhooks", {"limit": limit, "attempts": True}, Page[Webhook]),
             ("requests", "/_mock/requests", {"limit": limit}, Page[JournaledRequest]))
    with tempfile.TemporaryDirectory() as tmp, \
            TestClient(create_app(Settings(database_url=f"sqlite:///{tmp}/bench.db", rate_limit_enabled=False))) as client:
        client.post("/_mock/clock/freeze")
        seed(client, args.messages)
        as_built = TypeAdapter(Any)
        for name, path, params, model in pages:
            body = client.get(path, params=params).json()
            declared = TypeAdapter(model)
            before, after, whole = [], [], []
            for _ in range(args.rounds):
                before.append(cpu_ms(lambda: as_built.dump_json(body), 20))
                after.append(cpu_ms(lambda: declared.dump_json(declared.validate_python(body), by_alias=True), 20))
                whole.append(cpu_ms(lambda: client.get(path, params=params), 3))
            b, a, w = (statistics.median(x) for x in (before, after, whole))
            print(f"{name:9} {len(body['items']):4} items: dumped as built {b:6.2f} ms, validated by its model "
                  f"{a:6.2f} ms (x{a / b:4.1f}); whole GET {w:7.2f} ms: validating would add {(a - b) / w * 100:4.1f} % "
                  f"(ratio {(w + a - b) / w:.3f})")


if __name__ == "__main__":
    main()
