"""X-Idempotency-Key: a successful send's response is stored per API key and replayed (with
X-Idempotent-Replay: true) for the idempotency window, measured on the sandbox clock."""

from __future__ import annotations

from typing import Callable

from fastapi import Response

from mockserver.core.models import Idempotency
from mockserver.core.store import idempotency as store
from mockserver.providers.cast import errors
from mockserver.providers.cast.auth import Caller
from mockserver.providers.cast import NAME
from mockserver.providers.cast.context import CastContext

MAX_KEY = 255
REPLAY_HEADER = "X-Idempotent-Replay"


def run_once(ctx: CastContext, caller: Caller, key: str | None, run: Callable[[], Response]) -> Response:
    """Run the send, or replay the stored answer to the same key. Errors are not stored, so a
    corrected retry with the same key goes through (designed: Cast does not say)."""
    if key is None or key == "":
        return run()
    if len(key) > MAX_KEY:
        raise errors.bad_request(f"X-Idempotency-Key is too long (max {MAX_KEY} characters)")
    rt, owner = ctx.runtime, caller.key.key  # "cached per API key"; core deletes these with the account
    with ctx.idempotency_lock(owner, key):
        now = rt.clock.now()
        found = store.find(rt.db.conn(), NAME, owner, key, now - ctx.settings.idempotency_window)
        if found is not None:
            return Response(found.body, status_code=found.status_code, media_type="application/json",
                            headers={REPLAY_HEADER: "true"})
        response = run()
        if 200 <= response.status_code < 300:
            with rt.db.write() as conn:
                store.save(conn, Idempotency(provider=NAME, key_owner=owner, idem_key=key,
                                             status_code=response.status_code, body=bytes(response.body).decode(),
                                             created_at=now))
        return response
