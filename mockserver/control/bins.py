"""/_mock/bins: built-in request bins, so nobody needs their own receiver to see webhooks. Any method on
/_mock/bins/{name}[/...] is recorded and answered 200; GET /_mock/bins/{name}/requests lists them.
A bin can misbehave on purpose (PUT /_mock/bins/{name}, or query parameters on its URL): a status with
Retry-After, a latency, a body, or failing only its first N requests; bins_answer.py decides the answer."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from mockserver.control import views
from mockserver.control.bins_answer import Answer, answer_of, respond, rule_view
from mockserver.control.schemas import BinAnswerSet, BinCaught, BinCleared, BinSummary, Page
from mockserver.control.schemas import BinRequest as BinRequestOut
from mockserver.control.deps import MAX_ID, RuntimeDep, invalid
from mockserver.core.clock import iso_ms
from mockserver.core.models import BinRequest, BinRule
from mockserver.core.store import bins

router = APIRouter(prefix="/bins", tags=["bins"])

NAME = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
RECORD_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
BinName = Annotated[str, Path(description="Any name of 1-64 letters, digits, '.', '_', '~' or '-'; "
                                           "a bin exists as soon as something is sent to it.")]


def _check(name: str) -> str:
    if not NAME.match(name):
        raise invalid(("path", "name"), "bin names are 1-64 of A-Z a-z 0-9 . _ ~ -", name)
    return name


def _headers(request: Request) -> str:
    merged: dict[str, str] = {}
    for key, value in request.headers.items():
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return json.dumps(merged, ensure_ascii=False)


def _body(raw: bytes, limit: int) -> tuple[str, str]:
    kept = raw[:limit]
    try:
        return kept.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(kept).decode("ascii"), "base64"


def view(req: BinRequest) -> dict:
    """The stable JSON shape of one caught request (`json` holds the parsed body when it is JSON)."""
    parsed = None
    if req.body_encoding == "utf-8" and req.body and not req.truncated:
        try:
            parsed = json.loads(req.body)
        except ValueError:
            parsed = None
    return {"id": req.id, "bin": req.bin, "method": req.method, "path": req.path, "query": req.query,
            "headers": json.loads(req.headers), "body": req.body, "body_encoding": req.body_encoding,
            "json": parsed, "size": req.body_size, "truncated": bool(req.truncated), "remote": req.remote,
            "at": iso_ms(req.at), "received_at": iso_ms(req.received_at)}


@router.get("", response_model=list[BinSummary])
def list_bins(runtime: RuntimeDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list:
    """Every bin that has caught something: name, how many requests it keeps, most recently used first."""
    conn = runtime.db.conn()
    rules = {r.bin: rule_view(r) for r in bins.rules(conn)}
    return [{"bin": name, "count": count, "requests": f"/_mock/bins/{name}/requests", "answer": rules.get(name)}
            for name, count, _ in bins.summary(conn, limit)]


@router.put("/{name}", response_model=BinAnswerSet)
def set_bin_answer(runtime: RuntimeDep, name: BinName, body: Answer) -> dict:
    """Set how the bin answers (status, retry_after, latency, body, fail_first); {} restores the usual 200."""
    rule = BinRule(bin=_check(name), updated_at=runtime.clock.now(), **body.model_dump())
    with runtime.db.write() as conn:
        bins.set_rule(conn, rule)
    return {"bin": name, "answer": rule_view(rule)}


@router.get("/{name}/requests", response_model=Page[BinRequestOut])
def list_bin_requests(runtime: RuntimeDep, name: BinName,
                      cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="next_cursor of the "
                                                          "previous page.")] = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Response:
    """Requests a bin caught, newest first, keyset-paged (an empty page for a bin never used)."""
    rows = bins.newest(runtime.db.conn(), _check(name), cursor, limit)
    return views.listing(views.page([view(r) for r in rows], limit))


@router.delete("/{name}/requests", response_model=BinCleared)
def clear_bin(runtime: RuntimeDep, name: BinName) -> dict:
    """Empty one bin (POST /_mock/reset empties every bin)."""
    with runtime.db.write() as conn:
        removed = bins.clear(conn, _check(name))
    return {"bin": name, "removed": removed}


async def _record(runtime, request: Request, name: str) -> Response:
    override = answer_of(request.query_params)  # before storing: a bad parameter stores nothing
    raw = await request.body()
    s = runtime.settings
    body, encoding = _body(raw, s.bin_max_body)
    req = BinRequest(bin=_check(name), method=request.method, path=request.url.path, query=request.url.query,
                     headers=_headers(request), body=body, body_encoding=encoding, body_size=len(raw),
                     truncated=len(raw) > s.bin_max_body, remote=request.client.host if request.client else "",
                     at=runtime.clock.now(), received_at=time.time())  # wall time: what a real receiver logs

    def store() -> tuple[BinRequest | None, BinRule | None, int]:
        with runtime.db.write() as conn:
            if not bins.exists(conn, name) and bins.count_bins(conn) >= s.bin_max_bins:
                return None, None, 0
            saved = bins.add(conn, req, s.bin_max_requests)
            return saved, bins.rule(conn, name), bins.ordinal(conn, saved)

    saved, rule, ordinal = await asyncio.to_thread(store)
    if saved is None:
        return JSONResponse({"detail": f"too many bins (MOCKSERVER_BIN_MAX_BINS={s.bin_max_bins}): empty one "
                                       "with DELETE /_mock/bins/{name}/requests, or reset"}, status_code=507)
    runtime.feed.publish("bin.request", bin=name, id=saved.id, method=request.method)  # the inbox's Bins page
    plan = override.over(rule)
    if plan.latency:
        await asyncio.sleep(plan.latency)
    return respond(plan, ordinal, {"ok": True, "bin": name, "id": saved.id})


async def catch_request(runtime: RuntimeDep, request: Request, name: BinName) -> Response:
    """Record this request (any method, headers, body) in bin `name` and answer 200 (or as the bin was set
    to answer): a callback URL for tests."""
    return await _record(runtime, request, name)


async def catch_request_below(runtime: RuntimeDep, request: Request, name: BinName, subpath: str) -> Response:
    """Same as /bins/{name}, for callback URLs with a path below the bin (the full path is recorded)."""
    return await _record(runtime, request, name)


#: The catch routes answer a Response of their own (the bin may be told to misbehave), so the usual
#: answer is documented here rather than checked as a response_model.
CAUGHT = {200: {"model": BinCaught, "description": "Recorded (or the answer the bin was set to give)."}}

# One route per method, so each has its own operationId; Swagger shows POST (what webhooks use) and
# GET, and hides the rest and the sub-path form (same behaviour, documented in the docstring). PUT on the
# bin itself sets its answer (above); a PUT below it is caught.
for _method in RECORD_METHODS:
    if _method != "PUT":
        router.add_api_route("/{name}", catch_request, methods=[_method],
                             operation_id=f"bin_catch_{_method.lower()}", include_in_schema=_method in ("POST", "GET"),
                             responses=CAUGHT)
    router.add_api_route("/{name}/{subpath:path}", catch_request_below, methods=[_method],
                         operation_id=f"bin_catch_below_{_method.lower()}", include_in_schema=False,
                         responses=CAUGHT)
