"""/v1/template-configs: create, list, get, update and delete SMS templates (review: 1 pending, 2 approved,
3 rejected)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from mockserver.providers import bodies
from mockserver.providers.openapi import error_responses
from mockserver.providers.engagelab import templates
from mockserver.providers.engagelab.auth import CallerDep, ContextDep, EngageLabTemplateRoute
from mockserver.providers.engagelab.errors import ConfigError
from mockserver.providers.engagelab.schemas import (
    ConfigErrorBody,
    Success,
    TemplateConfig,
    TemplateConfigIn,
    TemplateCreated,
)

router = APIRouter(prefix="/v1/template-configs", tags=["Template configs"], route_class=EngageLabTemplateRoute)
RESPONSES = error_responses(ConfigErrorBody, 400, 401, 403, 500)

REVIEW = """A new or updated template is pending (status 1) until the sandbox's review runs after
MOCKSERVER_REVIEW_DELAY seconds (at once in instant timing): it is then approved (2), or rejected (3) with an
`audit_remark` when its content matches a pattern of fixtures/review.toml. A `template_audit_result` callback
follows (designed fields: template_id, status, reason)."""


async def read_body(request: Request) -> TemplateConfigIn:
    try:
        return await bodies.parse(request, TemplateConfigIn)
    except bodies.BodyError as exc:
        raise ConfigError(f"invalid request body: {exc.message}") from None


@router.post("", response_model=TemplateCreated, summary="Create template", responses=RESPONSES,
             description=REVIEW, openapi_extra=bodies.openapi_body(TemplateConfigIn))
async def create_template(request: Request, caller: CallerDep, ctx: ContextDep) -> dict[str, str]:
    """Create a template configuration; it starts pending review."""
    body = await read_body(request)
    tpl = await run_in_threadpool(templates.create, ctx.runtime, ctx.settings, caller.account.id, body)
    return {"template_id": tpl.public_id}


@router.get("", response_model=list[TemplateConfig], response_model_exclude_none=True, summary="List templates",
            responses=RESPONSES)
def list_templates(caller: CallerDep, ctx: ContextDep) -> list[dict[str, Any]]:
    """Every template configuration of the account."""
    return templates.list_all(ctx.db.conn(), caller.account.id)


@router.get("/{templateId}", response_model=TemplateConfig, response_model_exclude_none=True,
            summary="Get template", responses=RESPONSES)
def get_template(templateId: str, caller: CallerDep, ctx: ContextDep) -> dict[str, Any]:  # noqa: N803
    """One template configuration."""
    conn = ctx.db.conn()
    return templates.to_wire(conn, templates.get(conn, caller.account.id, templateId))


@router.put("/{templateId}", response_model=Success, summary="Update template", responses=RESPONSES,
            description="All fields as in create. Goes back to pending review. A pending template, or one used by "
                        "a scheduled or still-sending plan, cannot be updated.\n\n" + REVIEW,
            openapi_extra=bodies.openapi_body(TemplateConfigIn))
async def update_template(templateId: str, request: Request, caller: CallerDep,  # noqa: N803
                          ctx: ContextDep) -> dict[str, Any]:
    """Replace a template configuration and send it to review again."""
    body = await read_body(request)
    await run_in_threadpool(templates.update, ctx.runtime, ctx.settings, caller.account.id, templateId, body)
    return {"code": 0, "message": "success"}


@router.delete("/{templateId}", response_model=Success, summary="Delete template", responses=RESPONSES,
               description="DESIGNED: a template used by a scheduled or still-sending plan cannot be deleted.")
def delete_template(templateId: str, caller: CallerDep, ctx: ContextDep) -> dict[str, Any]:  # noqa: N803
    """Delete a template configuration."""
    templates.delete(ctx.runtime, caller.account.id, templateId)
    return {"code": 0, "message": "success"}
