"""The EngageLab SMS sub-app (mounted at /engagelab): routes, HTTP Basic for Swagger, error mapping to
EngageLab's two envelopes, and the PROVIDER entry the registry reads."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from mockserver import __version__
from mockserver.core.errors import CoreError, InsufficientCredits, NotFound
from mockserver.providers.base import Provider, ProviderError
from mockserver.providers.engagelab import provisioning, webhooks
from mockserver.providers.engagelab.errors import ConfigError, SendError
from mockserver.providers.engagelab.routes import messages, sign_configs, template_configs
from mockserver.providers.engagelab.routes.deps import send_error, send_status
from mockserver.providers.engagelab.schemas import SendRequest, SignConfigIn, TemplateConfigIn
from mockserver.providers.engagelab.settings import EngageLabSettings
from mockserver.providers.http import ErrorMap, body_limit_middleware, install_error_handlers, validation_field

DESCRIPTION = """Sandbox of EngageLab's SMS API (`https://smsapi.engagelab.com`). Authorize with HTTP Basic:
username = dev_key, password = dev_secret (fixture: `engagelab_dev_key` / `engagelab_dev_secret`).
Fixture templates `1233`, `notification-template` and `marketing-template` are approved, so the documented
examples work as written. Behaviour EngageLab does not document is marked DESIGNED in each operation."""


def _is_send(request: Request) -> bool:
    return request.url.path.rstrip("/").endswith("/v1/messages")


def _validation(exc: RequestValidationError, request: Request) -> ProviderError:
    field, _, msg = validation_field(exc)
    if _is_send(request):
        return send_error(request, 3002, f"Invalid request parameters: {field}: {msg}")
    return ConfigError(f"invalid request: {field}: {msg}")


def _too_large(request: Request) -> ProviderError:
    if _is_send(request):
        return send_error(request, 3002, "Invalid request parameters: request body too large", http_status=413)
    return ConfigError("request body too large", http_status=413)


def _internal(request: Request) -> ProviderError:
    return send_error(request, 1000) if _is_send(request) else ConfigError("internal error", code=500)


def _core(exc: CoreError, request: Request) -> ProviderError:
    if not _is_send(request):
        return ConfigError(str(exc), code=400)
    if isinstance(exc, InsufficientCredits):
        return send_error(request, 3003, "insufficient balance")
    return send_error(request, 4001 if isinstance(exc, NotFound) else 3003, str(exc))


ERRORS = ErrorMap(
    validation=_validation,
    not_found=lambda request: ConfigError(f"not found: {request.method} {request.url.path}", code=404,
                                          http_status=404),
    method_not_allowed=lambda request: ConfigError(f"method {request.method} not allowed", code=405,
                                                   http_status=405),
    too_large=_too_large,
    internal=_internal,
    core=_core,
)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the request models of routes that read their body themselves."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for path in schema.get("paths", {}).values():  # FastAPI's 422 never happens here: errors are vendor-coded
            for operation in path.values():
                operation.get("responses", {}).pop("422", None)
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for model in (SendRequest, TemplateConfigIn, SignConfigIn):
            spec = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(spec.pop("$defs", {}))
            components[model.__name__] = spec
        app.openapi_schema = schema
    return app.openapi_schema


def build_app(runtime) -> FastAPI:
    app = FastAPI(title="EngageLab SMS API (sandbox)", version=__version__, description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    app.state.runtime = runtime
    app.state.settings = EngageLabSettings()
    install_error_handlers(app, ERRORS)

    @app.exception_handler(SendError)
    async def _send_error(request: Request, exc: SendError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=send_status(request, exc.error_code, exc.http_status))

    body_limit_middleware(app, runtime.settings.max_body_bytes, _too_large)
    for module in (messages, template_configs, sign_configs):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


PROVIDER = Provider(
    account_defaults={"currency": "USD"},
    name="engagelab",
    title="EngageLab SMS",
    vendor_base_url="https://smsapi.engagelab.com",
    auth="HTTP Basic base64(dev_key:dev_secret)",
    build_app=build_app,
    shaper=webhooks.EngageLabShaper,
    make_credentials=provisioning.make_credentials,
    callback_check=webhooks.callback_check,
    notes=["Callbacks: {total, rows} envelopes, optional X-CALLBACK-ID HMAC-SHA256 signature."],
)
