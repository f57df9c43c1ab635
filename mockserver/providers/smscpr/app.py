"""The SMSCPR sub-app (mounted at /smscpr): vendor paths, Bearer security scheme, error handlers,
body limit, rate limiter, Swagger UI at /smscpr/docs with the DLR and MO webhooks documented."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from mockserver import routing
from mockserver.core.models import Account, ApiKey
from mockserver.core.store import accounts
from mockserver.providers.base import Provider
from mockserver.providers.context import install_context
from mockserver.providers.http import install_error_handlers, install_pushback, limit_body
from mockserver.providers.openapi import with_error_examples
from mockserver.providers.smscpr import NAME
from mockserver.providers.smscpr.auth import Context
from mockserver.providers.smscpr.errors import ERROR_MAP, ERRORS, rate_limited
from mockserver.providers.smscpr.routes import build_router
from mockserver.providers.smscpr.service_plans import TOKEN_PREFIX, account_id_of, add_plan
from mockserver.providers.smscpr.schemas import DeliveryReceipt, InboundSms
from mockserver.providers.smscpr.settings import SmscprSettings
from mockserver.providers.smscpr.webhooks import SmscprShaper

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

FIXTURE_TOKEN = "smscpr_sandbox_token_111111111111111111111111"

DESCRIPTION = f"""Sandbox of the **SMSCPR SMS API** (real base URL `https://api-sms.smscpr.com`). Point your
client's base URL at this mount; the paths below are the vendor's own.

**Try it:** click *Authorize* and paste the fixture token `{FIXTURE_TOKEN}` (account
`111111111111111111111111`, service plan `222222222222222222222222`, number `+15550001111`; every fixture key
is on the sandbox's [credentials page](/credentials)).

The vendor publishes only an overview page, so much of this contract is **DESIGNED** after its closest
relatives (Infobip's field names and cursor logs, Sinch's servicePlanId + Bearer model); every designed
field or rule says so in its endpoint's description. Errors always have the body
`{{"errorCode", "errorMessage", "details"}}` (DESIGNED).

Delivery: messages move `QUEUED` -> `DISPATCHED` -> a final state on the sandbox clock (advance it with
`POST /_mock/clock/advance`). Destinations ending in 999001..999008 take the magic outcomes (failed,
undelivered, expired, rejected, blocked, unknown/timeout, stuck in QUEUED, delivered slowly)."""


def build_app(ctx: Context) -> FastAPI:
    """The /smscpr sub-app: the vendor's paths, its envelope, body limit, per-account rate limiter."""
    runtime, settings = ctx.runtime, ctx.settings
    app = FastAPI(title="SMSCPR SMS API (sandbox)", version="v1", description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json",
                  swagger_ui_parameters={"persistAuthorization": True})
    ctx.add_limiter("account", settings.rate_limit_per_second, settings.rate_limit_burst, settings.rate_limit_enabled)
    install_context(app, ctx)
    install_error_handlers(app, ERROR_MAP)
    limit_body(app, runtime, settings.max_body_bytes, ERROR_MAP.too_large)
    install_pushback(app, runtime, NAME, r"/(v1/sendsms|messages/sms)/?",
                     lambda request, wait: rate_limited(wait))  # the scheduler lags: SMSCPR's own 429
    routing.mount_routes(app, build_router())
    _document_webhooks(app)
    return with_error_examples(app, ERRORS)


def _document_webhooks(app: FastAPI) -> None:
    @app.webhooks.post("deliveryReceipt", tags=["Callbacks"])
    def delivery_receipt(body: DeliveryReceipt) -> None:
        """DLR: POSTed to the message's callbackUrl (else the account's DLR URL) on DISPATCHED and every
        final state (DESIGNED choice; MOCKSERVER_SMSCPR_DLR_INTERMEDIATE=false sends finals only).
        Retried on 5xx, 429 and network errors; receipts of one message arrive in order."""

    @app.webhooks.post("inboundSms", tags=["Callbacks"])
    def inbound_sms(body: InboundSms) -> None:
        """MO: POSTed to the account's inbound URL for every inbound message (inject one with the
        control API). `keyword` is the first word of `body`."""


def make_credentials(runtime: Runtime, account: Account) -> dict:
    """A new Bearer token and a new servicePlanId for `account` (control API: create account)."""
    token = TOKEN_PREFIX + runtime.ids.hex(40)
    plan_id = runtime.ids.hex(24)
    with runtime.db.write() as conn:
        add_plan(conn, account.id, plan_id)
        accounts.add_key(conn, ApiKey(provider=NAME, key=token, account_id=account.id,
                                      created_at=runtime.clock.now()))
        fresh = accounts.get(conn, account.id) or account
    return {"token": token, "authorization": f"Bearer {token}", "servicePlanId": plan_id,
            "accountId": account_id_of(fresh)}


PROVIDER = Provider(
    errors=ERRORS,
    account_defaults={"currency": "USD"},
    name=NAME,
    title="SMSCPR SMS API",
    vendor_base_url="https://api-sms.smscpr.com",
    auth="Authorization: Bearer <token>; servicePlanId in the request body",
    build_app=build_app,
    settings=SmscprSettings,
    shaper=SmscprShaper,
    make_credentials=make_credentials,
    notes=["POST /v1/sendsms and POST /messages/sms are the same operation",
           "error bodies, list filters, cursor and statuses beyond QUEUED/DELIVERED are DESIGNED"],
)
