"""The SMSCPR sub-app (mounted at /smscpr): vendor paths, Bearer security scheme, error handlers,
body limit, rate limiter, Swagger UI at /smscpr/docs with the DLR and MO webhooks documented."""

from __future__ import annotations

from fastapi import FastAPI

from mockserver.core.ratelimit import RateLimiter
from mockserver.providers.base import Provider
from mockserver.providers.http import body_limit_middleware, install_error_handlers
from mockserver.providers.smscpr.errors import ERRORS
from mockserver.providers.smscpr.plans import make_credentials
from mockserver.providers.smscpr.router import router
from mockserver.providers.smscpr.schemas import DeliveryReceipt, InboundSms
from mockserver.providers.smscpr.settings import SmscprSettings
from mockserver.providers.smscpr.webhooks import SmscprShaper

FIXTURE_TOKEN = "smscpr_sandbox_token_111111111111111111111111"

DESCRIPTION = f"""Sandbox of the **SMSCPR SMS API** (real base URL `https://api-sms.smscpr.com`). Point your
client's base URL at this mount; the paths below are the vendor's own.

**Try it:** click *Authorize* and paste the fixture token `{FIXTURE_TOKEN}` (account
`111111111111111111111111`, service plan `222222222222222222222222`, number `+15550001111`).

The vendor publishes only an overview page, so much of this contract is **DESIGNED** after its closest
relatives (Infobip's field names and cursor logs, Sinch's servicePlanId + Bearer model); every designed
field or rule says so in its endpoint's description. Errors always have the body
`{{"errorCode", "errorMessage", "details"}}` (DESIGNED).

Delivery: messages move `QUEUED` -> `DISPATCHED` -> a final state on the sandbox clock (advance it with
`POST /_mock/clock/advance`). Destinations ending in 999001..999008 take the magic outcomes (failed,
undelivered, expired, rejected, blocked, unknown/timeout, stuck in QUEUED, delivered slowly)."""


def build_app(runtime) -> FastAPI:
    settings = SmscprSettings()
    app = FastAPI(title="SMSCPR SMS API (sandbox)", version="v1", description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json",
                  swagger_ui_parameters={"persistAuthorization": True})
    app.state.runtime = runtime
    app.state.smscpr_settings = settings
    limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst, runtime.clock.now,
                          enabled=runtime.settings.rate_limit_enabled and settings.rate_limit_enabled)
    app.state.limiter = limiter
    runtime.on_reset(lambda provider: limiter.reset() if provider in (None, "smscpr") else None)
    install_error_handlers(app, ERRORS)
    body_limit_middleware(app, settings.max_body_bytes, ERRORS.too_large)
    app.include_router(router)
    app.state.smscpr_routes = list(router.routes)
    _document_webhooks(app)
    return app


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


PROVIDER = Provider(
    account_defaults={"currency": "USD"},
    name="smscpr",
    title="SMSCPR SMS API",
    vendor_base_url="https://api-sms.smscpr.com",
    auth="Authorization: Bearer <token>; servicePlanId in the request body",
    build_app=build_app,
    shaper=SmscprShaper,
    make_credentials=make_credentials,
    notes=["POST /v1/sendsms and POST /messages/sms are the same operation",
           "error bodies, list filters, cursor and statuses beyond QUEUED/DELIVERED are DESIGNED"],
)
