"""providers/fast_path.py: a qualifying route answers a good request without FastAPI's dependency solver, and
every other request exactly as FastAPI alone does (a twin app without the fast path answers the same bytes)."""

from __future__ import annotations

from typing import Annotated

import fastapi.routing
import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from mockserver.providers import fast_path
from mockserver.providers.auth import auth_first_route


async def gate(request: Request) -> None:
    if request.headers.get("x-deny"):
        raise HTTPException(401, "denied")
    request.state.caller = "alice"


@fast_path.plain_dependency(lambda request: request.state.caller)
async def current_caller(request: Request) -> str:
    return request.state.caller


def _scoped(request: Request) -> str:
    if request.headers.get("x-scope") == "none":
        raise HTTPException(403, "scope")
    return request.state.caller


@fast_path.plain_dependency(_scoped)
async def scoped_caller(who: Annotated[str, Depends(current_caller)], request: Request) -> str:
    return _scoped(request)


async def not_plain(request: Request) -> str:
    return "x"


class Body(BaseModel):
    to: str = Field(min_length=3)
    n: int = 1


def build(route_class: type[APIRoute]) -> FastAPI:
    app = FastAPI()
    app.router.route_class = route_class

    @app.post("/send")
    async def send(body: Body, who: Annotated[str, Depends(scoped_caller)],
                   key: Annotated[str | None, Header(alias="X-Key")] = None) -> Response:
        return JSONResponse({"to": body.to, "n": body.n, "who": who, "key": key})

    @app.post("/other")
    async def other(body: Body, x: Annotated[str, Depends(not_plain)]) -> Response:
        return JSONResponse({"x": x})

    return app


class GatedRoute(APIRoute):
    """The same gate as auth_first_route, without the fast path: what FastAPI alone answers."""

    def get_route_handler(self):
        original = super().get_route_handler()

        async def handler(request: Request):
            await gate(request)
            return await original(request)

        return handler


@pytest.fixture
def solver_calls(monkeypatch) -> list:
    calls: list = []
    real = fastapi.routing.solve_dependencies

    async def counted(**kwargs):
        calls.append(kwargs["dependant"].call.__name__)
        return await real(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return calls


FAST, PLAIN = build(auth_first_route(gate)), build(GatedRoute)
JSON = {"content-type": "application/json"}
CASES = [
    ("good", b'{"to": "0917", "n": 2}', JSON),
    ("good with the header", b'{"to": "0917"}', {**JSON, "X-Key": "k1"}),
    ("extra field", b'{"to": "0917", "other": true}', JSON),
    ("too short", b'{"to": "09"}', JSON),
    ("wrong type", b'{"to": "0917", "n": "many"}', JSON),
    ("missing field", b'{"n": 2}', JSON),
    ("not an object", b'[1, 2]', JSON),
    ("null", b"null", JSON),
    ("bad JSON", b'{"to": ', JSON),
    ("not UTF-8", b'{"to": "\xff\xfe"}', JSON),
    ("empty body", b"", JSON),
    ("charset parameter", b'{"to": "0917"}', {"content-type": "application/json; charset=utf-8"}),
    ("+json subtype", b'{"to": "0917"}', {"content-type": "application/vnd.api+json"}),
    ("text/plain", b'{"to": "0917"}', {"content-type": "text/plain"}),
    ("no content type", b'{"to": "0917"}', {}),
    ("gate refuses", b'{"to": "0917"}', {**JSON, "x-deny": "1"}),
    ("dependency refuses", b'{"to": "0917"}', {**JSON, "x-scope": "none"}),
    ("dependency refuses, body bad too", b'{"to": 1}', {**JSON, "x-scope": "none"}),
]


@pytest.mark.parametrize("name,body,headers", CASES, ids=[case[0] for case in CASES])
def test_every_answer_is_fastapis_own(name, body, headers):
    fast = TestClient(FAST).post("/send", content=body, headers=headers)
    plain = TestClient(PLAIN).post("/send", content=body, headers=headers)
    assert (fast.status_code, fast.content, fast.headers.get("content-type")) == \
        (plain.status_code, plain.content, plain.headers.get("content-type"))


def test_a_good_request_skips_the_solver_and_a_bad_one_goes_to_fastapi(solver_calls):
    client = TestClient(FAST)
    good = client.post("/send", content=b'{"to": "0917"}', headers={**JSON, "X-Key": "k"})
    assert good.json() == {"to": "0917", "n": 1, "who": "alice", "key": "k"}
    assert solver_calls == []
    assert client.post("/send", content=b'{"to": "0"}', headers=JSON).status_code == 422
    assert solver_calls == ["send"]


def test_a_route_with_a_dependency_that_is_not_plain_keeps_fastapis_handler(solver_calls):
    routes = {route.path: route for route in FAST.routes if isinstance(route, APIRoute)}
    assert fast_path.fast_call(routes["/send"]) is not None
    assert fast_path.fast_call(routes["/other"]) is None
    assert TestClient(FAST).post("/other", content=b'{"to": "0917"}', headers=JSON).json() == {"x": "x"}
    assert solver_calls == ["other"]


def test_dependency_overrides_are_honoured():
    app = build(auth_first_route(gate))
    app.dependency_overrides[scoped_caller] = lambda: "bob"
    answer = TestClient(app).post("/send", content=b'{"to": "0917"}', headers=JSON)
    assert answer.json()["who"] == "bob"
