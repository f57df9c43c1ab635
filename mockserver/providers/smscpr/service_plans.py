"""servicePlanIds: which account owns which plan (kept in the account's extra JSON as
{"servicePlanIds": [...], "accountId": optional override}), claiming plans for auto-provisioned
accounts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import orjson
from starlette.concurrency import run_in_threadpool

from mockserver.core.models import Account
from mockserver.core.store import accounts
from mockserver.providers.smscpr import NAME
from mockserver.providers.smscpr.errors import forbidden

PLANS_KEY = "servicePlanIds"
TOKEN_PREFIX = "smscpr_"

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime


def extra_of(account: Account) -> dict:
    try:
        data = orjson.loads(account.extra or "{}")  # read per DLR in a tick: orjson, not json
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def plans_of(account: Account) -> list[str]:
    return [str(p) for p in extra_of(account).get(PLANS_KEY, [])]


def account_id_of(account: Account) -> str:
    """The `accountId` shown in receipts: the sandbox account id unless fixtures override it."""
    return str(extra_of(account).get("accountId") or account.id)


def add_plan(conn, account_id: str, plan_id: str) -> None:
    fresh = accounts.get(conn, account_id)
    if fresh is None:
        return
    extra = extra_of(fresh)
    extra[PLANS_KEY] = [*plans_of(fresh), plan_id]
    accounts.set_fields(conn, account_id, extra=json.dumps(extra))


async def authorize_async(runtime: Runtime, account: Account, plan_id: str) -> None:
    """`authorize` for the event loop: an owned plan needs no store; a claim (a write) runs in a thread."""
    if plan_id not in plans_of(account):
        await run_in_threadpool(authorize, runtime, account, plan_id)


def authorize(runtime: Runtime, account: Account, plan_id: str) -> None:
    """Pass if `account` owns `plan_id`; with auto-provision, claim a plan nobody owns; else 403."""
    if plan_id in plans_of(account):
        return
    with runtime.db.write() as conn:
        owner = accounts.find_by_extra_item(conn, NAME, PLANS_KEY, plan_id)
        if owner is not None and owner.id == account.id:  # claimed by a concurrent request
            return
        if owner is None and runtime.settings.auto_provision:
            add_plan(conn, account.id, plan_id)
            return
    raise forbidden(f"servicePlanId {plan_id} is not a service plan of this token's account")
