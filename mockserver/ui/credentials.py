"""The credentials page at /credentials: every provider with its base URL on this server (as the browser
reached it), its Swagger UI, the vendor's real base URL, its auth scheme and the fixture credentials, each in
its own copyable element. An inbox page: same navigation, style and live clock."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mockserver.control.deps import RuntimeDep
from mockserver.providers import PROVIDERS
from mockserver.ui.common import chrome
from mockserver.ui.render import page

router = APIRouter(include_in_schema=False)


def fixture_credentials(files: dict, name: str) -> list[dict]:
    """One entry per fixture key of a provider: key, secret, note, account, and element ids to copy from."""
    out: list[dict] = []
    for account in files.get(name, {}).get("accounts", []):
        for key in account.get("keys", []):
            n = len(out)
            out.append({"key": key["key"], "secret": key.get("secret"), "note": key.get("note", ""),
                        "account": str(account["id"]), "key_id": f"{name}-key-{n}", "secret_id": f"{name}-secret-{n}"})
    return out


@router.get("/credentials", response_class=HTMLResponse)
def credentials_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """Providers, their Swagger UIs and base URLs here, and the ready-to-use fixture credentials."""
    base = str(request.base_url).rstrip("/")
    files = runtime.fixture_files()
    providers = [{"name": p.name, "title": p.title, "auth": p.auth, "vendor_base_url": p.vendor_base_url,
                  "base_url": f"{base}/{p.name}", "credentials": fixture_credentials(files, p.name)}
                 for p in PROVIDERS.values()]
    return page("credentials.html", **chrome(runtime, "credentials"), base=base, provider_cards=providers)
