"""The Cast provider: PROVIDER for the registry, build_app() for the /cast sub-app, make_credentials()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mockserver import routing
from mockserver.core.models import Account, ApiKey, Sender
from mockserver.core.store import accounts, catalog
from mockserver.providers.base import Provider
from mockserver.providers.cast import errors
from mockserver.providers.cast import NAME
from mockserver.providers.cast.auth import Context
from mockserver.providers.cast.routes import build_router
from mockserver.providers.cast.senders import DEFAULT_AUTO_SENDER as DEFAULT_SENDER
from mockserver.providers.cast.settings import CastSettings
from mockserver.providers.cast.webhooks import CastShaper
from mockserver.providers.context import install_context
from mockserver.providers.http import install_error_handlers, install_pushback, limit_body, render
from mockserver.providers.openapi import with_error_examples

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

DESCRIPTION = """Emulation of the **Cast.ph SMS API** (`https://api.cast.ph`). Every operation answers under the
recommended `/api/v1/...` (errors carry a stable `error_code`) and the legacy `/api/...` (errors are
`{"success": false, "error": "..."}` only).

Click **Authorize** and paste an `X-API-Key` from the sandbox's [credentials page](/credentials){readme}.
Behaviour Cast does not document (webhooks, the `scheduled` status word, sandbox storage, ...) is
marked *designed* in the operation descriptions and in docs/providers/cast.md."""


def _readme_key(runtime: Runtime) -> str:
    """The first fixture key (the README key: sender IDs CAST and MYAPP), for the Swagger description."""
    for account in runtime.fixture_files().get(NAME, {}).get("accounts", []):
        for key in account.get("keys", []):
            return f", e.g. the README key `{key['key']}` ({key.get('note', '')})"
    return ""


def build_app(ctx: Context) -> FastAPI:
    """The /cast sub-app: Cast's two path families, its envelopes, body limit and rate limiters."""
    runtime, cfg = ctx.runtime, ctx.settings
    app = FastAPI(title="Cast SMS API (sandbox)", version="v1", docs_url="/docs",
                  description=DESCRIPTION.replace("{readme}", _readme_key(runtime)),
                  redoc_url=None, openapi_url="/openapi.json",
                  strict_content_type=False,  # Cast (Go) decodes the body whatever the Content-Type says
                  swagger_ui_parameters={"persistAuthorization": True, "tryItOutEnabled": True})
    ctx.add_limiter("ip", cfg.rate_limit_rate, cfg.rate_limit_burst, cfg.rate_limit_enabled)
    ctx.add_limiter("account", cfg.account_send_rate, cfg.account_send_burst, cfg.rate_limit_enabled)
    install_context(app, ctx)
    errs = errors.ERROR_MAP
    install_error_handlers(app, errs)

    @app.exception_handler(errors.CastError)
    async def _cast_error(request: Request, exc: errors.CastError) -> JSONResponse:
        return render(errors.stamp(exc, request))

    limit_body(app, runtime, cfg.max_body_bytes, errs.too_large)
    install_pushback(app, runtime, NAME, r"/api(/v1)?/(sms|otp|sim|viber)/(send|bulk)/?",
                     lambda request, wait: errors.rate_limited(wait))  # the scheduler lags: Cast's own 429
    routing.mount_routes(app, build_router())
    return with_error_examples(app, errors.ERRORS, errors.example_body)


def make_credentials(runtime: Runtime, account: Account) -> dict[str, str]:
    """A fresh `cast_` + 64 hex key on `account` (control API's account creation), plus an approved
    sender ID CAST when the account has none, so the new key can send at once."""
    key, now = f"cast_{runtime.ids.hex(64)}", runtime.clock.now()
    with runtime.db.write() as conn:
        accounts.add_key(conn, ApiKey(provider=NAME, key=key, account_id=account.id, created_at=now))
        if not catalog.senders_of(conn, account.id):
            catalog.add_sender(conn, Sender(public_id="1", provider=NAME, account_id=account.id,
                                            name=DEFAULT_SENDER, label="default", created_at=now, updated_at=now))
    return {"api_key": key}


PROVIDER = Provider(
    errors=errors.ERRORS,
    account_defaults={"currency": "PHP"},
    name=NAME,
    title="Cast.ph",
    vendor_base_url="https://api.cast.ph",
    auth="X-API-Key: cast_<64 hex> header (sandbox keys cast_test_…)",
    build_app=build_app,
    settings=CastSettings,
    shaper=CastShaper,
    make_credentials=make_credentials,
    notes=["Legacy /api/... and /api/v1/... paths; DLR/MO webhooks are designed (Cast documents none)."],
)
