"""servicePlanIds: which account owns which plan (kept in the account's extra JSON as
{"servicePlanIds": [...], "accountId": optional override}), claiming plans for auto-provisioned
accounts, and make_credentials for the control API."""

from __future__ import annotations

import json

from mockserver.core.models import Account, ApiKey
from mockserver.core.store import accounts
from mockserver.providers.smscpr.errors import forbidden

PROVIDER = "smscpr"
PLANS_KEY = "servicePlanIds"
TOKEN_PREFIX = "smscpr_"


def extra_of(account: Account) -> dict:
    try:
        data = json.loads(account.extra or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def plans_of(account: Account) -> list[str]:
    return [str(p) for p in extra_of(account).get(PLANS_KEY, [])]


def account_id_of(account: Account) -> str:
    """The `accountId` shown in receipts: the sandbox account id unless fixtures override it."""
    return str(extra_of(account).get("accountId") or account.id)


def _add_plan(conn, account_id: str, plan_id: str) -> None:
    fresh = accounts.get(conn, account_id)
    if fresh is None:
        return
    extra = extra_of(fresh)
    extra[PLANS_KEY] = [*plans_of(fresh), plan_id]
    accounts.set_fields(conn, account_id, extra=json.dumps(extra))


def authorize(runtime, account: Account, plan_id: str) -> None:
    """Pass if `account` owns `plan_id`; with auto-provision, claim a plan nobody owns; else 403."""
    if plan_id in plans_of(account):
        return
    with runtime.db.write() as conn:
        owner = accounts.find_by_extra_item(conn, PROVIDER, PLANS_KEY, plan_id)
        if owner is not None and owner.id == account.id:  # claimed by a concurrent request
            return
        if owner is None and runtime.settings.auto_provision:
            _add_plan(conn, account.id, plan_id)
            return
    raise forbidden(f"servicePlanId {plan_id} is not a service plan of this token's account")


def make_credentials(runtime, account: Account) -> dict:
    """A new Bearer token and a new servicePlanId for `account` (control API: create account)."""
    token = TOKEN_PREFIX + runtime.ids.hex(40)
    plan_id = runtime.ids.hex(24)
    with runtime.db.write() as conn:
        _add_plan(conn, account.id, plan_id)
        accounts.add_key(conn, ApiKey(provider=PROVIDER, key=token, account_id=account.id,
                                      created_at=runtime.clock.now()))
        fresh = accounts.get(conn, account.id) or account
    return {"token": token, "authorization": f"Bearer {token}", "servicePlanId": plan_id,
            "accountId": account_id_of(fresh)}
