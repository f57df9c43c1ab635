"""A fifth vendor that exists only in tests: a minimal provider built the way the registry expects (a
`Provider` whose `build_app(context)` returns a FastAPI sub-app; providers/context.py) and its vendor record, as a kit exports.

As a pytest plugin (`-p tests.dummy_provider`) it registers itself in `mockserver.providers.PROVIDERS` and
its record as `tests.providers.dummy.kit`, so tests/test_vendors.py can show that every VENDORS-driven
test picks a new vendor up without anyone editing a table.
"""

from __future__ import annotations

import sys
import types

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mockserver.providers.base import Provider
from tests.vendors import Shape, Vendor

NAME = "dummy"
_ENVELOPE = frozenset({"error", "code"})


def build_app(context) -> FastAPI:
    """POST /send: a key in X-Dummy-Key, a body within the sandbox's limit; answers {"id": ...}."""
    app = FastAPI(title="Dummy SMS (test only)", docs_url="/docs", openapi_url="/openapi.json")
    limit = context.runtime.settings.max_body_bytes

    @app.post("/send")
    async def send(request: Request) -> JSONResponse:
        """Send one SMS."""
        if not request.headers.get("x-dummy-key"):
            return JSONResponse({"error": "missing X-Dummy-Key", "code": "NO_KEY"}, status_code=401)
        if len(await request.body()) > limit:
            return JSONResponse({"error": "body too large", "code": "TOO_BIG"}, status_code=413)
        return JSONResponse({"id": "1"})

    return app


PROVIDER = Provider(name=NAME, title="Dummy", vendor_base_url="https://dummy.invalid", auth="X-Dummy-Key header",
                    build_app=build_app)

VENDOR = Vendor(
    name=NAME, account_id="dummy-demo", path="/send", credentials={"key": "any"},
    auth=lambda c: {"X-Dummy-Key": c["key"]}, compose=lambda to, text, c: {"to": list(to), "text": text},
    number="0700000001", msisdn="0700000001", pair=("0700000001", "0700000007"),
    envelope=_ENVELOPE, error_field="error",
    unauthorized=Shape(401, _ENVELOPE, "code", "NO_KEY", "X-Dummy-Key"),
    too_large=Shape(413, _ENVELOPE, "code", "TOO_BIG", "too large"),
    rate_limited=Shape(429, _ENVELOPE, "code", "SLOW_DOWN"), limiter=None, webhooks=False,
)


def register() -> None:
    """Add the dummy to the registry and its record where tests/vendors.py looks for a kit."""
    from mockserver.providers import PROVIDERS

    PROVIDERS[NAME] = PROVIDER
    kit = types.ModuleType(f"tests.providers.{NAME}.kit")
    kit.VENDOR = VENDOR
    sys.modules[kit.__name__] = kit


def pytest_configure(config) -> None:
    register()
