"""One seam for every provider: the same context, the same dependency aliases, `routes.build_router()`, a route
class (auth first) in `auth.py` named after the vendor, and the shaper registered as the webhooks.py class.
A fifth vendor that plugs itself in any other way fails here, by name."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import get_args

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.params import Depends
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mockserver.providers import PROVIDERS
from mockserver.providers.context import ProviderContext, provide_context

PKG = Path(__file__).resolve().parents[2] / "mockserver" / "providers"
NAMES = sorted(PROVIDERS)


def _mounted(client: TestClient, name: str) -> FastAPI:
    """The provider's sub-app as mounted (the request-side gates forward attribute reads to it)."""
    mount = next(r for r in client.app.router.routes if getattr(r, "path", None) == f"/{name}")
    return mount.app


def _vendor_routes(routes) -> list[APIRoute]:
    """Every APIRoute, also inside included routers that newer FastAPI keeps whole (`original_router`)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        nested = getattr(route, "original_router", None)
        found += _vendor_routes(nested.routes) if nested is not None else []
    return found


@pytest.mark.parametrize("name", NAMES)
def test_routes_package_exports_build_router_and_app_mounts_it_once(name: str):
    routes = importlib.import_module(f"mockserver.providers.{name}.routes")
    assert isinstance(routes.build_router(), APIRouter)
    assert inspect.signature(routes.build_router).parameters == {}
    tree = ast.parse((PKG / name / "app.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", "") in ("include_router", "mount_routes")]
    assert [ast.unparse(c) for c in calls] == ["routing.mount_routes(app, build_router())"]


@pytest.mark.parametrize("name", NAMES)
def test_every_vendor_route_uses_a_route_class_from_its_auth_module(client, name: str):
    auth = importlib.import_module(f"mockserver.providers.{name}.auth")
    classes = {value: key for key, value in vars(auth).items() if inspect.isclass(value) and key.endswith("Route")}
    prefix = re.compile(rf"{re.escape(name)}\w*route", re.IGNORECASE)
    for cls, bound in classes.items():
        assert prefix.fullmatch(bound), f"{name}.auth.{bound}: route classes are named <Vendor>[<Family>]Route"
    routes = _vendor_routes(_mounted(client, name).router.routes)
    assert routes, name
    for route in routes:
        if route.path.startswith("/u/"):  # Cast's sandbox-only unsubscribe pages: a subscriber has no key
            continue
        assert type(route) in classes, f"{name} {route.path}: {type(route).__name__} is not from {name}/auth.py"


@pytest.mark.parametrize("name", NAMES)
def test_route_classes_are_made_only_in_auth_py(name: str):
    for path in (PKG / name).rglob("*.py"):
        if path.name != "auth.py":
            assert "auth_first_route(" not in path.read_text(), path
            assert "request.state.caller" not in path.read_text(), path
    assert "request.state.caller = " in (PKG / name / "auth.py").read_text()  # where every gate puts the caller


@pytest.mark.parametrize("name", NAMES)
def test_the_same_aliases_reach_the_one_context(name: str):
    auth = importlib.import_module(f"mockserver.providers.{name}.auth")
    context_type, marker = get_args(auth.ContextDep)
    assert context_type.__origin__ is ProviderContext
    assert get_args(context_type) == (PROVIDERS[name].settings,)
    assert isinstance(marker, Depends) and marker.dependency is provide_context
    assert get_args(auth.CallerDep)[0].__name__ == "Caller"


@pytest.mark.parametrize("name", NAMES)
def test_no_provider_reads_app_state_itself(name: str):
    for path in (PKG / name).rglob("*.py"):
        assert "app.state" not in path.read_text(), f"{path}: reach the context through ContextDep or context_of"
    assert not (PKG / name / "routes" / "deps.py").exists()
    assert not (PKG / name / "context.py").exists()


@pytest.mark.parametrize("name", NAMES)
def test_sub_app_and_shaper_share_one_context_built_from_the_provider_settings(client_factory, name: str):
    """A per-provider setting given to the server reaches the context the routes see and the shaper's."""
    provider = PROVIDERS[name]
    field = next(f for f, info in provider.settings.model_fields.items() if info.annotation is bool)
    default = provider.settings.model_fields[field].default
    client = client_factory(provider_settings={name: {field: not default}})
    ctx = _mounted(client, name).state.provider_context
    assert isinstance(ctx, ProviderContext) and ctx.name == name
    assert getattr(ctx.settings, field) is (not default)
    assert ctx.runtime is client.app.state.runtime and ctx.clock is ctx.runtime.clock and ctx.db is ctx.runtime.db
    shaper = client.app.state.runtime.shapers.get(name)
    if provider.shaper is None:
        assert shaper is None
    else:
        assert type(shaper.inner) is provider.shaper  # FaultShaper wraps it
        assert shaper.inner.settings is ctx.settings


@pytest.mark.parametrize("name", [n for n in NAMES if PROVIDERS[n].shaper is not None])
def test_shapers_are_registered_one_way(name: str):
    shaper = PROVIDERS[name].shaper
    assert inspect.isclass(shaper) and shaper.__module__ == f"mockserver.providers.{name}.webhooks"
    assert list(inspect.signature(shaper).parameters) == ["ctx"]


def test_a_context_limiter_is_emptied_by_a_reset_of_its_provider_only(client):
    """Limiters made through the context forget their buckets on `POST /_mock/reset` of that provider."""
    runtime = client.app.state.runtime
    ctx = ProviderContext(name="cast", runtime=runtime, settings=PROVIDERS["cast"].settings())
    limiter = ctx.add_limiter("probe", rate=0.0001, burst=1)
    assert ctx.limiters["probe"] is limiter
    assert limiter.allow("k") and not limiter.allow("k")
    assert client.post("/_mock/reset", json={"provider": "smscpr"}).status_code == 200
    assert not limiter.allow("k")
    assert client.post("/_mock/reset", json={"provider": "cast"}).status_code == 200
    assert limiter.allow("k")


def test_context_locks_are_per_key():
    """One key, one lock (the idempotency key's guard); another key is not held up by it."""
    ctx = ProviderContext(name="x", runtime=None, settings=None)  # type: ignore[arg-type]
    held = ctx.lock("owner", "key")
    assert held is ctx.lock("owner", "key")
    other = next(ctx.lock("owner", f"k{i}") for i in range(1000) if ctx.lock("owner", f"k{i}") is not held)
    with held:
        assert ctx.lock("owner", "key").locked()
        assert other.acquire(blocking=False)
        other.release()
