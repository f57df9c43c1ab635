"""X-Idempotency-Key: a successful send's response is stored per API key and replayed (with
X-Idempotent-Replay: true) for the idempotency window, measured on the sandbox clock."""

from __future__ import annotations

import time
from typing import Callable

from fastapi import Response

from mockserver.core.models import Idempotency
from mockserver.core.store import idempotency as store
from mockserver.providers.cast import errors
from mockserver.providers.cast.auth import Caller
from mockserver.providers.cast import NAME
from mockserver.providers.cast.auth import Context

MAX_KEY = 255
REPLAY_HEADER = "X-Idempotent-Replay"


#: Wall-clock seconds a repeat waits for the first request of its key to answer (on another replica)
#: before taking the key over: that request's process died without storing an answer.
IN_FLIGHT_WAIT = 10.0


def run_once(ctx: Context, caller: Caller, key: str | None, run: Callable[[], Response]) -> Response:
    """Run the send, or replay the stored answer to the same key. Errors are not stored, so a
    corrected retry with the same key goes through (designed: Cast does not say)."""
    if key is None or key == "":
        return run()
    if len(key) > MAX_KEY:
        raise errors.bad_request(f"X-Idempotency-Key is too long (max {MAX_KEY} characters)")
    rt, owner = ctx.runtime, caller.key.key  # "cached per API key"; core deletes these with the account
    with ctx.lock(owner, key):  # one process: queue here; processes: the claim in the store
        now = rt.clock.now()
        found = _claim(ctx, owner, key, now)
        if found is not None:
            return Response(found.body, status_code=found.status_code, media_type="application/json",
                            headers={REPLAY_HEADER: "true"})
        try:
            response = run()
        except BaseException:
            with rt.db.write() as conn:
                store.release(conn, NAME, owner, key)
            raise
        with rt.db.write() as conn:
            if 200 <= response.status_code < 300:
                store.save(conn, Idempotency(provider=NAME, key_owner=owner, idem_key=key,
                                             status_code=response.status_code, body=bytes(response.body).decode(),
                                             created_at=now))
            else:
                store.release(conn, NAME, owner, key)
        return response


def _claim(ctx: Context, owner: str, key: str, now: float) -> Idempotency | None:
    """None once this request holds the key (it must run the send); else the stored answer to replay.
    A request of the same key still running on another replica is waited for."""
    rt = ctx.runtime
    window_start = now - ctx.settings.idempotency_window
    deadline = time.monotonic() + IN_FLIGHT_WAIT
    while True:
        with rt.db.write() as conn:
            if store.claim(conn, NAME, owner, key, now, window_start):
                return None
        found = store.find(rt.db.conn(), NAME, owner, key, window_start)
        if found is not None and found.status_code != store.IN_FLIGHT:
            return found
        if found is not None and time.monotonic() > deadline:
            with rt.db.write() as conn:
                if store.take_over(conn, NAME, owner, key, found.created_at, now):
                    return None
        time.sleep(0.02)
