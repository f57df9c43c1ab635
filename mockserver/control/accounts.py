"""/_mock/accounts: list and read accounts, create one with a key on the fly (per-test isolation),
set credits, callback URLs (checked the way the vendor checks them) and `extra`; delete one."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from mockserver.control import views
from mockserver.control.schemas import Account as AccountOut, CreatedAccount
from mockserver.control.deps import RuntimeDep, invalid

#: Far beyond any test's needs, and far inside SQLite's signed 64-bit INTEGER even after many top-ups.
CREDITS = {"ge": -(10**15), "le": 10**15}
from mockserver.core.delivery import callback_urls
from mockserver.core.models import Account
from mockserver.core.store import accounts
from mockserver.providers import PROVIDERS

router = APIRouter(prefix="/accounts", tags=["accounts"])


class NewAccount(BaseModel):
    provider: str = Field(description="Provider name, e.g. cast.")
    id: str | None = Field(default=None, description="Account id; default <provider>-<12 hex>.")
    name: str = ""
    credits: int | None = Field(default=None, **CREDITS, description="Default: MOCKSERVER_AUTO_PROVISION_CREDITS.")
    dlr_url: str | None = None
    mo_url: str | None = None
    allowed_channels: list[str] | None = Field(default=None, description="e.g. [\"sms\", \"otp\", \"bulk\", "
                                               "\"viber\"] (Cast); default: the provider's.")
    extra: dict = Field(default_factory=dict, description="Vendor-specific account settings.")


class AccountPatch(BaseModel):
    name: str | None = None
    credits: int | None = Field(default=None, **CREDITS, description="New balance.")
    add_credits: int | None = Field(default=None, **CREDITS,
                                    description="Added to (or, negative, taken from) the balance.")
    dlr_url: str | None = Field(default=None, description="Delivery-report URL; null or \"\" clears it.")
    mo_url: str | None = Field(default=None, description="Inbound (MO) URL; null or \"\" clears it.")
    allowed_channels: list[str] | None = Field(default=None, description="Channels the account may use (Cast).")
    is_active: bool | None = None
    extra: dict | None = Field(default=None, description="Merged into extra; a null value removes a key.")


def _view(runtime, account_id: str) -> dict:
    conn = runtime.db.conn()
    acc = accounts.get(conn, account_id)
    if acc is None:
        raise HTTPException(404, f"account {account_id} not found")
    return views.account(acc, accounts.keys_of(conn, account_id))


async def _check_callbacks(runtime, acc: Account, urls: list[str]) -> None:
    """POST the provider's probe (when it has one) to each URL; refuse the URL unless the provider's rule
    accepts the answer (any 2xx by default; EngageLab: 200 within 3 s)."""
    provider = PROVIDERS.get(acc.provider)
    check = provider.callback_check if provider is not None else None
    for url in urls:
        reason = await asyncio.to_thread(callback_urls.refusal, url, runtime.settings.webhook_allow_hosts,
                                         runtime.settings.webhook_deny_hosts)
        if reason is not None:
            raise invalid(("body",), reason, url[:200])
        probe = check(runtime, acc, url) if check is not None else None
        if probe is None:
            continue
        wanted, timeout = provider.callback_check_statuses, provider.callback_check_timeout
        try:
            result = await asyncio.wait_for(runtime.dispatcher.probe(probe), timeout)
        except TimeoutError:
            raise HTTPException(400, f"callback URL check failed: {url} did not answer within {timeout:g} s") from None
        accepted = result.status in wanted if wanted is not None else result.ok
        if not accepted:
            answer = f"HTTP {result.status}" if result.status is not None else result.error
            expected = " or ".join(str(s) for s in sorted(wanted)) if wanted is not None else "2xx"
            raise HTTPException(400, f"callback URL check failed: {url} answered {answer}; expected {expected}")


def _with_extra(acc: Account, extra: dict | None) -> Account:
    """The account as it will be once `extra` is merged: a probe carries what the same request configures
    (e.g. EngageLab's Authorization value set together with the URL)."""
    if not extra:
        return acc
    merged = {**json.loads(acc.extra or "{}"), **extra}
    return acc.model_copy(update={"extra": json.dumps({k: v for k, v in merged.items() if v is not None})})


@router.get("", response_model=list[AccountOut])
def list_accounts(runtime: RuntimeDep, provider: str | None = None) -> list:
    """Every account (optionally one provider's) with its keys, credits and callback URLs."""
    conn = runtime.db.conn()
    return [views.account(a, accounts.keys_of(conn, a.id)) for a in accounts.list_all(conn, provider)]


@router.post("", status_code=201, response_model=CreatedAccount)
async def create_account(body: NewAccount, runtime: RuntimeDep) -> dict:
    """Create an account and its credentials now; answers the account and what a client needs to call."""
    provider = PROVIDERS.get(body.provider)
    if provider is None:
        raise HTTPException(404, f"unknown provider {body.provider!r}")
    if provider.make_credentials is None:
        raise HTTPException(501, f"provider {body.provider!r} cannot create credentials on the fly")
    now = runtime.clock.now()
    acc = Account(
        **provider.account_defaults,
        id=body.id or f"{body.provider}-{runtime.ids.hex(12)}", provider=body.provider,
        name=body.name or "control API account",
        credits=runtime.settings.auto_provision_credits if body.credits is None else body.credits,
        dlr_url=body.dlr_url or None, mo_url=body.mo_url or None, extra=json.dumps(body.extra), created_at=now,
    )
    if body.allowed_channels is not None:
        acc.allowed_channels = json.dumps(body.allowed_channels)
    await _check_callbacks(runtime, acc, [u for u in (acc.dlr_url, acc.mo_url) if u])

    def store() -> dict:
        with runtime.db.write() as conn:  # one transaction: a failing make_credentials leaves nothing
            if accounts.get(conn, acc.id) is not None:
                raise HTTPException(409, f"account {acc.id} already exists")
            accounts.create(conn, acc)
            credentials = provider.make_credentials(runtime, acc)
        return {**_view(runtime, acc.id), "credentials": credentials}
    return await asyncio.to_thread(store)


@router.get("/{account_id}", response_model=AccountOut)
def get_account(account_id: str, runtime: RuntimeDep) -> dict:
    """One account with its keys, credits, callback URLs and extra."""
    return _view(runtime, account_id)


@router.patch("/{account_id}", response_model=AccountOut)
async def update_account(account_id: str, body: AccountPatch, runtime: RuntimeDep) -> dict:
    """Change credits, callback URLs, name, active flag or extra (merged); only the fields sent change."""
    acc = await asyncio.to_thread(accounts.get, runtime.db.conn(), account_id)
    if acc is None:
        raise HTTPException(404, f"account {account_id} not found")
    sent = body.model_fields_set
    values: dict = {k: getattr(body, k) for k in ("name", "credits", "is_active") if k in sent and getattr(body, k) is not None}
    for field in ("dlr_url", "mo_url"):
        if field in sent:
            values[field] = getattr(body, field) or None
    if body.allowed_channels is not None:
        values["allowed_channels"] = json.dumps(body.allowed_channels)
    await _check_callbacks(runtime, _with_extra(acc, body.extra),
                           [values[f] for f in ("dlr_url", "mo_url") if values.get(f)])

    def store() -> dict:
        with runtime.db.write() as conn:
            current = accounts.get(conn, account_id)
            if body.extra is not None:
                merged = {**json.loads(current.extra or "{}"), **body.extra}
                values["extra"] = json.dumps({k: v for k, v in merged.items() if v is not None})
            if values:
                accounts.set_fields(conn, account_id, **values)
            if body.add_credits and body.add_credits > 0:
                accounts.refund(conn, account_id, body.add_credits)
            elif body.add_credits:
                accounts.charge(conn, account_id, -body.add_credits, allow_negative=True)
        return _view(runtime, account_id)
    return await asyncio.to_thread(store)


@router.delete("/{account_id}", status_code=204)
async def delete_account(account_id: str, runtime: RuntimeDep) -> Response:
    """Delete an account and all it owns (a fixture account comes back fresh, as on reset)."""
    await asyncio.to_thread(_view, runtime, account_id)
    await runtime.reset_quiesced(account_id=account_id)
    return Response(status_code=204)
