"""/v1/sign-configs: create, list, get, update and delete signatures (sender IDs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from mockserver.providers import bodies
from mockserver.providers.openapi import error_responses
from mockserver.providers.engagelab import signs
from mockserver.providers.engagelab.auth import CallerDep, ContextDep, EngageLabSignRoute
from mockserver.providers.engagelab.errors import ConfigError
from mockserver.providers.engagelab.schemas import ConfigErrorBody, SignConfig, SignConfigIn, SignCreated, Success

router = APIRouter(prefix="/v1/sign-configs", tags=["Sign configs"], route_class=EngageLabSignRoute)
RESPONSES = error_responses(ConfigErrorBody, 400, 401, 403, 500)

REVIEW = """A new or renamed signature is pending (status 1) until the sandbox's review after
MOCKSERVER_REVIEW_DELAY seconds: approved (2), or rejected (3) when its name matches fixtures/review.toml.
Templates with `add_signature` send it as a prefix or suffix, rendered `【name】` (MOCKSERVER_ENGAGELAB_SIGN_FORMAT)."""


async def read_body(request: Request) -> SignConfigIn:
    try:
        return await bodies.parse(request, SignConfigIn)
    except bodies.BodyError as exc:
        raise ConfigError(f"invalid request body: {exc.message}") from None


@router.post("", response_model=SignCreated, summary="Create signature", responses=RESPONSES,
             description="Name: 2-60 characters, no 【 】 [ ], unique in the account.\n\n" + REVIEW,
             openapi_extra=bodies.openapi_body(SignConfigIn))
async def create_signature(request: Request, caller: CallerDep, ctx: ContextDep) -> dict[str, str]:
    """Create a signature; it starts pending review."""
    body = await read_body(request)
    sender = await run_in_threadpool(signs.create, ctx.runtime, caller.account.id, body.sign_name)
    return {"sign_id": sender.public_id}


@router.get("", response_model=list[SignConfig], summary="List signatures", responses=RESPONSES)
def list_signatures(caller: CallerDep, ctx: ContextDep) -> list[dict[str, Any]]:
    """Every signature of the account."""
    return signs.list_all(ctx.runtime, ctx.db.conn(), caller.account.id)


@router.get("/{signId}", response_model=SignConfig, summary="Get signature", responses=RESPONSES)
def get_signature(signId: str, caller: CallerDep, ctx: ContextDep) -> dict[str, Any]:  # noqa: N803
    """One signature."""
    return signs.one(ctx.runtime, ctx.db.conn(), caller.account.id, signId)


@router.put("/{signId}", response_model=Success, summary="Update signature", responses=RESPONSES,
            description="A pending signature cannot be updated. Goes back to pending review.\n\n" + REVIEW,
            openapi_extra=bodies.openapi_body(SignConfigIn))
async def update_signature(signId: str, request: Request, caller: CallerDep,  # noqa: N803
                           ctx: ContextDep) -> dict[str, Any]:
    """Rename a signature and send it to review again."""
    body = await read_body(request)
    await run_in_threadpool(signs.update, ctx.runtime, caller.account.id, signId, body.sign_name)
    return {"code": 0, "message": "success"}


@router.delete("/{signId}", response_model=Success, summary="Delete signature", responses=RESPONSES,
               description="DESIGNED: a signature still attached to templates cannot be deleted.")
def delete_signature(signId: str, caller: CallerDep, ctx: ContextDep) -> dict[str, Any]:  # noqa: N803
    """Delete a signature."""
    signs.delete(ctx.runtime, caller.account.id, signId)
    return {"code": 0, "message": "success"}
