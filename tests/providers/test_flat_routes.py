"""Providers' routes are flat (mockserver/routing.py): one list of operations at their full paths, which FastAPI
matches once per request, instead of included routers it matches level by level."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mockserver import routing
from mockserver.providers import PROVIDERS


def _mounted(client: TestClient, name: str) -> FastAPI:
    return next(r for r in client.app.router.routes if getattr(r, "path", None) == f"/{name}").app


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_provider_app_holds_its_operations_flat(client, name: str):
    routes = _mounted(client, name).router.routes
    assert not [r for r in routes if hasattr(r, "original_router")], f"{name}: an included router is a branch again"
    assert sum(isinstance(r, APIRoute) for r in routes) >= 3


def test_cast_operations_sit_at_both_families_full_paths(client):
    paths = {(r.path, frozenset(r.methods)) for r in _mounted(client, "cast").router.routes if isinstance(r, APIRoute)}
    assert ("/api/v1/sms/send", frozenset({"POST"})) in paths and ("/api/sms/send", frozenset({"POST"})) in paths


def _section() -> APIRouter:
    class Marked(APIRoute):
        pass

    section = APIRouter(route_class=Marked, tags=["own"])

    @section.get("/thing", responses={404: {"description": "none"}})
    async def thing() -> dict:
        return {"ok": True}

    return section


def test_include_copies_each_route_as_fastapi_combines_an_include():
    target = routing.router()
    routing.include(target, _section(), prefix="/v9", tags=["first"], deprecated=True)
    (route,) = target.routes
    assert (route.path, route.tags, route.deprecated) == ("/v9/thing", ["first", "own"], True)
    assert type(route).__name__ == "Marked"
    assert 404 in route.responses
    app = FastAPI()
    routing.mount_routes(app, target)
    with TestClient(app) as client:
        assert client.get("/v9/thing").json() == {"ok": True}
        assert client.get("/thing").status_code == 404
        assert app.openapi()["paths"]["/v9/thing"]["get"]["tags"] == ["first", "own"]


def test_include_refuses_a_router_that_holds_an_included_router():
    outer, inner = APIRouter(), _section()
    outer.include_router(inner)
    if not any(hasattr(r, "original_router") for r in outer.routes):
        pytest.skip("this FastAPI copies routes on include: nothing nested to refuse")
    with pytest.raises(TypeError):
        routing.include(routing.router(), outer)


def test_mount_routes_refuses_an_app_whose_router_adds_to_its_routes():
    async def dep() -> None:
        return None

    with pytest.raises(ValueError):
        routing.mount_routes(FastAPI(dependencies=[Depends(dep)]), routing.router())
    with pytest.raises(ValueError):  # the app checks Content-Type, the routes were made lax
        routing.mount_routes(FastAPI(), routing.router(strict_content_type=False))
