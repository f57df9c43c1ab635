"""Account resources: credit balance and senders (both named by the vendor), templates and contact
groups (DESIGNED read endpoints: the send API refers to them by integer id)."""

from __future__ import annotations

import json

from fastapi import APIRouter

from mockserver.core.models import ContactGroup, Template
from mockserver.core.store import accounts, catalog
from mockserver.providers.mesms.auth import CallerDep, ContextDep, MesmsRoute
from mockserver.providers.mesms.compose import iso
from mockserver.providers.mesms.errors import not_found
from mockserver.providers.mesms.schemas import error_responses

router = APIRouter(prefix="/api/v2", route_class=MesmsRoute)


@router.get("/credits", tags=["Account"], responses=error_responses(401, 429),
            description="DESIGNED path and shape `{credits}`. Check before a large batch send.")
def get_credits(caller: CallerDep, ctx: ContextDep) -> dict:
    """Credit balance"""
    return {"credits": accounts.balance(ctx.db.conn(), caller.account.id)}


@router.get("/senders", tags=["Account"], responses=error_responses(401, 429),
            description="All sender names on the account, including shared ones. Only `approved` ones can send. "
                        "New names are requested in the web app (not through the API). Path and item shape DESIGNED.")
def list_senders(caller: CallerDep, ctx: ContextDep) -> dict:
    """List senders"""
    out = []
    for s in catalog.senders_of(ctx.db.conn(), caller.account.id):
        kind = json.loads(s.extra or "{}").get("type", "own")
        out.append({"id": int(s.public_id) if s.public_id.isdigit() else s.public_id, "name": s.name,
                    "status": s.status, "type": kind, "createdAt": iso(s.created_at)})
    return {"data": out}


def _template(t: Template) -> dict:
    return {"id": int(t.public_id) if t.public_id.isdigit() else t.public_id, "name": t.name, "content": t.content,
            "status": t.status, "createdAt": iso(t.created_at)}


def _group(g: ContactGroup, with_numbers: bool) -> dict:
    numbers = json.loads(g.numbers or "[]")
    out = {"id": int(g.public_id) if g.public_id.isdigit() else g.public_id, "name": g.name, "count": len(numbers),
           "createdAt": iso(g.created_at)}
    return {**out, "msisdns": numbers} if with_numbers else out


@router.get("/templates", tags=["Templates"], responses=error_responses(401, 429), description="DESIGNED endpoint.")
def list_templates(caller: CallerDep, ctx: ContextDep) -> dict:
    """List templates"""
    return {"data": [_template(t) for t in catalog.templates_of(ctx.db.conn(), caller.account.id)]}


@router.get("/templates/{template_id}", tags=["Templates"], responses=error_responses(401, 404, 429),
            description="DESIGNED endpoint.")
def get_template(template_id: int, caller: CallerDep, ctx: ContextDep) -> dict:
    """Get one template"""
    tpl = catalog.template(ctx.db.conn(), caller.account.id, str(template_id))
    if tpl is None:
        raise not_found("Template")
    return _template(tpl)


@router.get("/contact-groups", tags=["Contact groups"], responses=error_responses(401, 429),
            description="DESIGNED endpoint.")
def list_contact_groups(caller: CallerDep, ctx: ContextDep) -> dict:
    """List contact groups"""
    return {"data": [_group(g, False) for g in catalog.groups_of(ctx.db.conn(), caller.account.id)]}


@router.get("/contact-groups/{group_id}", tags=["Contact groups"], responses=error_responses(401, 404, 429),
            description="DESIGNED endpoint.")
def get_contact_group(group_id: int, caller: CallerDep, ctx: ContextDep) -> dict:
    """Get one contact group"""
    grp = catalog.group(ctx.db.conn(), caller.account.id, str(group_id))
    if grp is None:
        raise not_found("Contact group")
    return _group(grp, True)
