"""The me-sms v2 sub-app (mounted at /mesms): vendor paths under /api/v2, x-api-key auth, the
{"error","code"} envelope for every failure, Swagger UI at /mesms/docs, and the PROVIDER entry."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fastapi import FastAPI

from mockserver import routing
from mockserver.core.models import Account, ApiKey
from mockserver.core.store import accounts
from mockserver.providers.base import Provider
from mockserver.providers.context import install_context
from mockserver.providers.http import install_error_handlers, install_pushback, limit_body
from mockserver.providers.openapi import with_error_examples
from mockserver.providers.mesms import NAME
from mockserver.providers.mesms.auth import DEFAULT_SENDER, Context, ensure_sender
from mockserver.providers.mesms.errors import ERROR_MAP, ERRORS, MesmsError
from mockserver.providers.mesms.routes import build_router
from mockserver.providers.mesms.settings import MesmsSettings

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

DESCRIPTION = """Emulation of the **me-sms v2** SMS API (`https://me-sms.com`), Thailand.

Authenticate with the `x-api-key` header (Authorize button; the fixture keys and their scopes are on the
sandbox's [credentials page](/credentials)). `POST /api/v2/sms/send` needs scope
`sms:send` or `*`; every other endpoint accepts any valid key. Errors are always
`{"error": "...", "code": "..."}`.

Only the send parameters, the recipients path and the status words were recovered from the vendor's
page; every other path and response shape is **DESIGNED** (REST-consistent guesses) and says so.
Sandbox: numbers ending 999001..999008 trigger failures (see the project README).
"""


def build_app(ctx: Context) -> FastAPI:
    """The /mesms sub-app: the v2 paths, the {"error","code"} envelope, the per-key rate limiter."""
    runtime, cfg = ctx.runtime, ctx.settings
    app = FastAPI(title="me-sms API v2 (sandbox)", version="2", description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    ctx.add_limiter("key", cfg.rate_limit_per_second, cfg.rate_limit_burst)
    install_context(app, ctx)
    install_error_handlers(app, ERROR_MAP)
    limit_body(app, runtime, None, ERROR_MAP.too_large)  # the vendor publishes no body limit
    install_pushback(app, runtime, NAME, r"/api/v2/sms/(send|[^/]+/retry)/?",  # the scheduler lags: its own 429
                     lambda request, wait: MesmsError("Rate limit exceeded", http_status=429, error_code="RATE_LIMITED"))
    routing.mount_routes(app, build_router())
    return with_error_examples(app, ERRORS)


def make_credentials(runtime: Runtime, account: Account) -> dict:
    """A new full-scope key (and the default approved sender) for an account made via the control API."""
    key = f"mesms_{runtime.ids.hex(32)}"
    with runtime.db.write() as conn:
        accounts.add_key(conn, ApiKey(provider=NAME, key=key, account_id=account.id, scopes=json.dumps(["*"]),
                                      created_at=runtime.clock.now()))
        ensure_sender(conn, account.id, DEFAULT_SENDER, runtime.clock.now())
    return {"api_key": key, "header": "x-api-key", "sender": DEFAULT_SENDER}


PROVIDER = Provider(
    errors=ERRORS,
    account_defaults={"currency": "THB"},
    name=NAME,
    title="me-sms v2",
    vendor_base_url="https://me-sms.com",
    auth="x-api-key header; /send needs scope sms:send or *",
    build_app=build_app,
    settings=MesmsSettings,
    shaper=None,  # the vendor documents no delivery webhooks: clients poll /recipients
    make_credentials=make_credentials,
    notes=["Up to 2,000,000 msisdns per send", "No DLR webhooks (none documented)"],
)
