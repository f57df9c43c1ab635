"""/_mock/requests: the request journal, every request a provider mount received, accepted or refused,
with its answer (core/journal.py records them; secrets are masked before they are stored)."""

from __future__ import annotations

import base64
import json
import re
import shlex
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from mockserver.control import views
from mockserver.control.messages import query_time
from mockserver.control.deps import MAX_ID, RuntimeDep, invalid
from mockserver.control.schemas import JournaledRequest, Page, Removed
from mockserver.core.clock import iso_ms
from mockserver.core.models import JournalEntry
from mockserver.core.store import journal as store
from mockserver.core.store.journal import JournalQuery

router = APIRouter(prefix="/requests", tags=["requests"])

_STATUS = re.compile(r"^(?:(?P<exact>[1-5]\d\d)|(?P<cls>[1-5])xx|(?P<errors>errors))$", re.I)
#: Headers curl sets itself: repeating them would make the command lie about the body it sends.
_CURL_SKIP = frozenset({"host", "content-length", "connection", "accept-encoding", "transfer-encoding"})


def _status(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    found = _STATUS.match(value.strip())
    if found is None:
        raise invalid(("query", "status"), "a status (401), a class (4xx) or 'errors' (400-599)", value)
    if found["exact"]:
        return int(found["exact"]), int(found["exact"])
    if found["cls"]:
        return int(found["cls"]) * 100, int(found["cls"]) * 100 + 99
    return 400, 599


def _since(value: str | None) -> float | None:
    return query_time(value, "since")


def _parsed(text: str, encoding: str) -> object:
    if encoding != "utf-8" or not text or text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def curl(entry: JournalEntry, headers: dict[str, str]) -> str:
    """The request as a curl command (secrets stay masked: paste your own key to replay it)."""
    url = f"http://{headers.get('host', 'localhost')}{entry.path}" + (f"?{entry.query}" if entry.query else "")
    parts = ["curl", "-X", entry.method, shlex.quote(url)]
    parts += [f"-H {shlex.quote(f'{k}: {v}')}" for k, v in headers.items() if k not in _CURL_SKIP]
    if entry.body:
        data = entry.body if entry.body_encoding == "utf-8" else base64.b64decode(entry.body).decode("latin-1")
        parts.append(f"--data-raw {shlex.quote(data)}")
    return " ".join(parts)


def view(entry: JournalEntry) -> dict:
    """The stable JSON shape of one journaled request and its answer."""
    headers = json.loads(entry.headers)
    return {
        "id": entry.id, "at": iso_ms(entry.at), "received_at": iso_ms(entry.received_at), "provider": entry.provider,
        "account_id": entry.account_id or None, "method": entry.method, "path": entry.path, "query": entry.query,
        "headers": headers, "body": entry.body, "body_encoding": entry.body_encoding, "json": _parsed(
            entry.body, entry.body_encoding), "size": entry.body_size,
        "truncated": entry.body_size > len(entry.body.encode("utf-8")) if entry.body_encoding == "utf-8" else
        entry.body_size > len(base64.b64decode(entry.body)),
        "status": entry.status, "latency_ms": entry.latency_ms, "remote": entry.remote,
        "message_ids": [int(i) for i in entry.message_ids.strip(",").split(",") if i],
        "response": {"status": entry.status, "headers": json.loads(entry.response_headers),
                     "body": entry.response_body, "json": _parsed(entry.response_body, "utf-8"),
                     "size": entry.response_size},
        "curl": curl(entry, headers),
    }


@router.get("", response_model=Page[JournaledRequest])
def list_requests(
    runtime: RuntimeDep,
    provider: str | None = None,
    account: Annotated[str | None, Query(description="Account id (known once a key was recognised).")] = None,
    status: Annotated[str | None, Query(description="401, a class such as 4xx, or 'errors' (400-599).")] = None,
    path: Annotated[str | None, Query(description="A substring of the path, e.g. /sms/send.")] = None,
    message: Annotated[int | None, Query(ge=0, le=MAX_ID, description="The request that created this "
                                         "sandbox message id.")] = None,
    since: Annotated[str | None, Query(description="Received at or after (sandbox clock; epoch seconds or "
                                       "ISO-8601).")] = None,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="next_cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Requests the provider APIs received, accepted or refused, newest first, with their answers."""
    low, high = _status(status)
    runtime.journal.flush()  # what this process received up to now is visible at once
    q = JournalQuery(provider=provider, account_id=account, status_min=low, status_max=high, path=path,
                     message_id=message, since=_since(since), before_id=cursor)
    return views.listing(views.page([view(e) for e in store.newest(runtime.db.conn(), q, limit)], limit))


@router.get("/{request_id}", response_model=JournaledRequest)
def get_request(runtime: RuntimeDep, request_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> dict:
    """One journaled request and its answer, with a curl command that repeats it."""
    runtime.journal.flush()
    entry = store.get(runtime.db.conn(), request_id)
    if entry is None:
        raise HTTPException(404, f"request {request_id} not found")
    return view(entry)


@router.delete("", response_model=Removed)
def clear_requests(runtime: RuntimeDep, provider: str | None = None) -> dict:
    """Forget the journal (or one provider's part of it); POST /_mock/reset does it too."""
    runtime.journal.flush()
    with runtime.db.write() as conn:
        removed = store.clear(conn, provider)
    return {"removed": removed}
