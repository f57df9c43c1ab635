"""The EngageLab SMS sub-app (mounted at /engagelab): routes, HTTP Basic for Swagger, error mapping to
EngageLab's two envelopes, and the PROVIDER entry the registry reads."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from mockserver import __version__, routing
from mockserver.core.models import Account, ApiKey
from mockserver.core.store import accounts
from mockserver.providers.base import Provider
from mockserver.providers.context import install_context
from mockserver.providers.engagelab import NAME, provisioning, webhooks
from mockserver.providers.engagelab.auth import Context
from mockserver.providers.engagelab.errors import (ERROR_MAP, ERRORS, SendError, example_body, fit_fault_error,
                                                   send_error, send_status)
from mockserver.providers.engagelab.routes import build_router
from mockserver.providers.engagelab.schemas import SendRequest, SignConfigIn, TemplateConfigIn
from mockserver.providers.engagelab.settings import EngageLabSettings
from mockserver.providers.http import install_error_handlers, install_pushback, limit_body
from mockserver.providers.openapi import with_error_examples

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

DESCRIPTION = """Sandbox of EngageLab's SMS API (`https://smsapi.engagelab.com`). Authorize with HTTP Basic:
username = dev_key, password = dev_secret (fixture: `engagelab_dev_key` / `engagelab_dev_secret`; every key
is on the sandbox's [credentials page](/credentials)).
Fixture templates `1233`, `notification-template` and `marketing-template` are approved, so the documented
examples work as written. Behaviour EngageLab does not document is marked DESIGNED in each operation."""


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the request models of routes that read their body themselves."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        # FastAPI's 422 is dropped for every provider by http.without_framework_422 (mockserver/app.py).
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (SendRequest, TemplateConfigIn, SignConfigIn):
            spec = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(spec.pop("$defs", {}))
            components[model.__name__] = spec
        app.openapi_schema = schema
    return app.openapi_schema


def build_app(ctx: Context) -> FastAPI:
    """The /engagelab sub-app: the send and config families, their two envelopes, the body limit."""
    runtime = ctx.runtime
    app = FastAPI(title="EngageLab SMS API (sandbox)", version=__version__, description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    install_context(app, ctx)
    install_error_handlers(app, ERROR_MAP)

    @app.exception_handler(SendError)
    async def _send_error(request: Request, exc: SendError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=send_status(request, exc.error_code, exc.http_status))

    limit_body(app, runtime, None, ERROR_MAP.too_large)  # the vendor publishes no body limit
    # EngageLab publishes no rate-limit error: while the scheduler lags, its send envelope (code 1000) with 429.
    install_pushback(app, runtime, NAME, r"/v1/messages/?", lambda request, wait: send_error(
        request, 1000, f"Too many requests: the platform is busy, retry after {wait} s", http_status=429))
    routing.mount_routes(app, build_router())
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return with_error_examples(app, ERRORS, example_body)


def make_credentials(runtime: Runtime, account: Account) -> dict[str, Any]:
    """A fresh dev_key/dev_secret for `account` (control API), plus the fixture catalog if it has none."""
    dev_key, dev_secret = runtime.ids.hex(24), runtime.ids.hex(32)
    with runtime.db.write() as conn:
        accounts.add_key(conn, ApiKey(provider=NAME, key=dev_key, secret=dev_secret, account_id=account.id,
                                      created_at=runtime.clock.now()))
    provisioning.seed_catalog(runtime, account.id)
    token = base64.b64encode(f"{dev_key}:{dev_secret}".encode()).decode()
    return {"dev_key": dev_key, "dev_secret": dev_secret, "authorization": f"Basic {token}"}


PROVIDER = Provider(
    errors=ERRORS,
    fault_error=fit_fault_error,
    account_defaults={"currency": "USD"},
    name=NAME,
    title="EngageLab SMS",
    vendor_base_url="https://smsapi.engagelab.com",
    auth="HTTP Basic base64(dev_key:dev_secret)",
    build_app=build_app,
    settings=EngageLabSettings,
    shaper=webhooks.EngageLabShaper,
    make_credentials=make_credentials,
    callback_check=webhooks.callback_check, callback_check_statuses=frozenset({200}), callback_check_timeout=3.0,
    notes=["Callbacks: {total, rows} envelopes, optional X-CALLBACK-ID HMAC-SHA256 signature."],
)
