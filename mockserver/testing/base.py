"""Every operation of the test kit's client, defined once on SandboxBase; the sync `Sandbox` and the
async `AsyncSandbox` (client.py) only differ in how they run them. Scope: a client made with
`account_id=` / `provider=` (or `.scoped(...)`) applies them to every query and wait it makes."""

from __future__ import annotations

import time
from typing import Any, Iterable, Union

from mockserver.testing.errors import SandboxError, WaitTimeout
from mockserver.testing.models import (Account, AdvanceReport, BinRequest, ClockState, Fault, ForcedStatus, Inbound,
                                       JournaledRequest, Message, Webhook)
from mockserver.testing.protocol import Call, Op, Pause, clean, one

#: A cursor: a message (or webhook) id, or the Message / Webhook itself.
Cursor = Union[int, Message, Webhook, None]
Statuses = Union[str, Iterable[str], None]

#: One long-poll request holds at most this long; a longer wait is several in a row (proxies cut idle
#: connections, and the server caps a wait at 300 s).
LONG_POLL_CHUNK = 60.0
#: Polling for webhooks and bin requests (no long-poll there): starts fast, backs off to this.
POLL_MAX = 0.25
SEEN = 5


def _id(cursor: Cursor) -> int | None:
    return getattr(cursor, "id", cursor)


def _newer(item_id: Any, after: int | str | None) -> bool:
    """Client-side guard in case the bins API ignores `after` (ids compare as numbers when they are)."""
    if after is None:
        return True
    try:
        return int(item_id) > int(after)
    except (TypeError, ValueError):
        return item_id != after


def _items(body: Any) -> list:
    return body.get("items", []) if isinstance(body, dict) else list(body or [])


class SandboxBase:
    """Client of one sandbox's control API (`/_mock`), optionally scoped to one account / provider."""

    def __init__(self, base_url: str, *, account_id: str | None = None, provider: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.provider = provider

    def _run(self, op: Op) -> Any:  # pragma: no cover - provided by Sandbox / AsyncSandbox
        raise NotImplementedError

    def _scope(self, account_id: str | None, provider: str | None) -> dict[str, str | None]:
        return {"account_id": account_id or self.account_id, "provider": provider or self.provider}

    # -- messages ---------------------------------------------------------------------------------
    def _filters(self, to, from_, text, status, provider, account_id, extra) -> dict[str, Any]:
        return clean({**self._scope(account_id, provider), "to": to, "from": from_, "text": text,
                      "status": status, **extra})

    def messages(self, *, to: str | None = None, from_: str | None = None, text: str | None = None,
                 status: Statuses = None, provider: str | None = None, account_id: str | None = None,
                 after: Cursor = None, order: str = "desc", limit: int = 50, **filters: Any) -> list[Message]:
        """Messages in scope, newest first (order="asc": oldest first); `after` keeps only newer ones."""
        params = self._filters(to, from_, text, status, provider, account_id, filters)
        params.update(clean({"after_id": _id(after), "order": order, "limit": limit}))
        return self._run(one(Call("GET", "/messages", params),
                             lambda body: [Message.model_validate(m) for m in _items(body)]))

    def latest(self, *, to: str | None = None, from_: str | None = None, text: str | None = None,
               status: Statuses = None, provider: str | None = None, account_id: str | None = None,
               **filters: Any) -> Message | None:
        """The newest message in scope matching the filters, or None."""
        params = self._filters(to, from_, text, status, provider, account_id, filters)
        return self._run(one(Call("GET", "/messages/latest", params, accept=(200, 404)),
                             lambda body: Message.model_validate(body) if "id" in body else None))

    def message(self, message: Cursor) -> Message:
        """One message in full: recipients (first page), event timeline, webhooks with attempts."""
        return self._run(one(Call("GET", f"/messages/{_id(message)}"), Message.model_validate))

    def cursor(self, *, provider: str | None = None, account_id: str | None = None) -> int:
        """The newest message id in scope (0 if none): wait_for(after=cursor) then sees only later ones."""
        call = Call("GET", "/messages", clean({**self._scope(account_id, provider), "limit": 1}))
        return self._run(one(call, lambda body: next((m["id"] for m in _items(body)), 0)))

    def wait_for(self, *, to: str | None = None, from_: str | None = None, text: str | None = None,
                 status: Statuses = None, provider: str | None = None, account_id: str | None = None,
                 after: Cursor = None, timeout: float = 10.0, **filters: Any) -> Message:
        """The first message newer than `after` that matches (without `after`: the newest match), as soon
        as it exists; WaitTimeout (with what it did see) after `timeout` real seconds."""
        params = self._filters(to, from_, text, status, provider, account_id, filters)
        return self._run(self._wait(params, _id(after), timeout))

    def _wait(self, params: dict[str, Any], after: int | None, timeout: float) -> Op:
        deadline = time.monotonic() + timeout
        while True:
            chunk = max(0.0, min(deadline - time.monotonic(), LONG_POLL_CHUNK))
            call = Call("GET", "/messages/wait", clean({**params, "after": after, "timeout": round(chunk, 3)}),
                        accept=(200, 408), wait=chunk)
            reply = yield call
            if reply.status == 200:
                return Message.model_validate(reply.body)
            if time.monotonic() >= deadline:
                waited = {k: v for k, v in params.items()} | ({"after": after} if after is not None else {})
                seen = reply.body.get("seen") if isinstance(reply.body, dict) else None
                if seen is None:  # an older server: ask for the scope's newest ourselves
                    scope = {k: params[k] for k in ("account_id", "provider") if k in params}
                    seen = _items((yield Call("GET", "/messages", {**scope, "limit": SEEN})).body)
                raise WaitTimeout("message", waited, timeout, [Message.model_validate(m) for m in seen])

    def otp(self, *, to: str | None = None, provider: str | None = None, account_id: str | None = None,
            after: Cursor = None, timeout: float = 10.0, **filters: Any) -> str:
        """Wait for a message to `to` holding a one-time code and return the code (a string, zeros kept)."""
        params = self._filters(to, None, None, None, provider, account_id, filters)
        return self._run(self._otp(params, _id(after), timeout))

    def _otp(self, params: dict[str, Any], after: int | None, timeout: float) -> Op:
        deadline = time.monotonic() + timeout
        while True:
            msg = yield from self._wait(params, after, max(0.0, deadline - time.monotonic()))
            if msg.otp is not None:
                return msg.otp
            after = msg.id  # a message without a code: wait for the next one, never re-read this one

    # -- clock ------------------------------------------------------------------------------------
    def clock(self) -> ClockState:
        """The sandbox's time (global to the server: every account shares it)."""
        return self._run(one(Call("GET", "/clock"), ClockState.model_validate))

    def advance(self, seconds: float) -> AdvanceReport:
        """Move the clock forward through everything due on the way, in order (transitions, webhooks and
        every retry falling inside the window); returns the clock and what ran."""
        return self._run(one(Call("POST", "/clock/advance", json={"seconds": seconds}), AdvanceReport.model_validate))

    def freeze(self) -> ClockState:
        """Stop the clock (global): nothing becomes due until advance() or resume()."""
        return self._run(one(Call("POST", "/clock/freeze"), ClockState.model_validate))

    def resume(self) -> ClockState:
        """Let the clock run again from where it stopped."""
        return self._run(one(Call("POST", "/clock/resume"), ClockState.model_validate))

    # -- state ------------------------------------------------------------------------------------
    def reset(self, *, provider: str | None = None, account_id: str | None = None) -> dict:
        """POST /_mock/reset. Never scoped implicitly: no argument wipes the WHOLE server (every worker's
        accounts); `account_id=` deletes that account and all it owns."""
        return self._run(one(Call("POST", "/reset", json={"provider": provider, "account_id": account_id})))

    def account(self, provider: str | None = None, **fields: Any) -> Account:
        """Create a fresh account (POST /_mock/accounts): its `id` and the `credentials` its vendor's client needs.
        `fields`: credits, dlr_url, mo_url, name, extra, id."""
        body = {"provider": provider or self.provider, **fields}
        return self._run(one(Call("POST", "/accounts", json=body), Account.model_validate))

    def accounts(self, provider: str | None = None) -> list[Account]:
        """Every account on the server (fixtures included), optionally of one provider."""
        return self._run(one(Call("GET", "/accounts", clean({"provider": provider})),
                             lambda body: [Account.model_validate(a) for a in body]))

    def get_account(self, account_id: str | None = None) -> Account:
        """One account (default: the scoped one) with its current credits and callback URLs."""
        return self._run(one(Call("GET", f"/accounts/{account_id or self.account_id}"), Account.model_validate))

    def update_account(self, account_id: str | None = None, **fields: Any) -> Account:
        """PATCH an account (default: the scoped one): credits, add_credits, dlr_url, mo_url, is_active, extra."""
        path = f"/accounts/{account_id or self.account_id}"
        return self._run(one(Call("PATCH", path, json=fields), Account.model_validate))

    def delete_account(self, account_id: str | None = None) -> None:
        """Delete an account and everything it owns (messages, webhooks, keys)."""
        return self._run(one(Call("DELETE", f"/accounts/{account_id or self.account_id}"), lambda _: None))

    def inject_inbound(self, *, from_: str, to: str, body: str, provider: str | None = None,
                       account_id: str | None = None, meta: dict | None = None) -> Inbound:
        """Inject an MO message; it reaches the account's inbound URL (in the vendor's shape) before this returns."""
        payload = {**self._scope(account_id, provider), "from": from_, "to": to, "body": body, "meta": meta or {}}
        return self._run(one(Call("POST", "/inbound", json=clean(payload)), Inbound.model_validate))

    def force_status(self, message: Cursor, status: str, *, to: str | None = None,
                     recipient_id: int | None = None) -> ForcedStatus:
        """Force one recipient (by number or id), or every open one, into a status; its webhooks go out first."""
        call = Call("POST", f"/messages/{_id(message)}/status",
                    json=clean({"status": status, "to": to, "recipient_id": recipient_id}))
        return self._run(one(call, ForcedStatus.model_validate))

    # -- faults (the context manager `fault(...)` is on Sandbox / AsyncSandbox) ----------------------
    def add_fault(self, **rule: Any) -> Fault:
        """POST /_mock/faults: a rule (see docs/faults.md); `provider` defaults to the client's scope."""
        body = {"provider": self.provider, **rule} if self.provider else rule
        return self._run(one(Call("POST", "/faults", json=body), Fault.model_validate))

    def get_fault(self, fault: Fault | str) -> Fault:
        """A rule with its current counters (`hits`, `seen`, `exhausted`)."""
        fault_id = fault.id if isinstance(fault, Fault) else fault
        return self._run(one(Call("GET", f"/faults/{fault_id}"), Fault.model_validate))

    def delete_fault(self, fault: Fault | str) -> None:
        """Remove a rule (gone already is fine: a reset may have cleared it)."""
        fault_id = fault.id if isinstance(fault, Fault) else fault
        return self._run(one(Call("DELETE", f"/faults/{fault_id}", accept=(204, 404)), lambda _: None))

    # -- webhooks ---------------------------------------------------------------------------------
    def webhooks(self, *, message_id: Cursor = None, kind: str | None = None, status: str | None = None,
                 url: str | None = None, provider: str | None = None, account_id: str | None = None,
                 after: Cursor = None, limit: int = 50) -> list[Webhook]:
        """Webhooks in scope with their attempt logs, newest first (with `after`: oldest first, newer only)."""
        params = clean({**self._scope(account_id, provider), "message_id": _id(message_id), "kind": kind,
                        "status": status, "url": url, "limit": limit, "attempts": True})
        if after is not None:
            params.update(order="asc", cursor=_id(after))
        return self._run(one(Call("GET", "/webhooks", params),
                             lambda body: [Webhook.model_validate(h) for h in _items(body)]))

    def wait_for_webhook(self, *, message_id: Cursor = None, kind: str | None = None,
                         status: str | None = "delivered", url: str | None = None, provider: str | None = None,
                         account_id: str | None = None, after: Cursor = None, timeout: float = 10.0) -> Webhook:
        """The first webhook newer than `after` matching the filters (default: delivered, i.e. your
        receiver answered 2xx), polled until `timeout`; status=None takes one in any state."""
        params = clean({**self._scope(account_id, provider), "message_id": _id(message_id), "kind": kind,
                        "status": status, "url": url, "attempts": True, "order": "asc", "limit": 1,
                        "cursor": _id(after) or 0})
        return self._run(self._poll_webhook(params, timeout))

    def _poll_webhook(self, params: dict[str, Any], timeout: float) -> Op:
        deadline, pause = time.monotonic() + timeout, 0.02
        while True:
            items = _items((yield Call("GET", "/webhooks", params)).body)
            if items:
                return Webhook.model_validate(items[0])
            if time.monotonic() >= deadline:
                scope = {k: params[k] for k in ("account_id", "provider") if k in params}
                seen = _items((yield Call("GET", "/webhooks", {**scope, "limit": SEEN})).body)
                waited = {k: v for k, v in params.items() if k not in ("attempts", "order", "limit")}
                raise WaitTimeout("webhook", waited, timeout, [Webhook.model_validate(h) for h in seen])
            yield Pause(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)

    # -- request journal --------------------------------------------------------------------------
    def requests(self, *, status: int | str | None = None, path: str | None = None, message_id: Cursor = None,
                 provider: str | None = None, account_id: str | None = None, since: str | float | None = None,
                 limit: int = 50) -> list[JournaledRequest]:
        """What your app sent to the provider APIs and what they answered, newest first, refusals
        included. `status`: 401, "4xx" or "errors"; `path`: a substring of the path."""
        scope = self._scope(account_id, provider)
        params = clean({"provider": scope["provider"], "account": scope["account_id"], "status": status,
                        "path": path, "message": _id(message_id), "since": since, "limit": limit})
        return self._run(one(Call("GET", "/requests", params),
                             lambda body: [JournaledRequest.model_validate(r) for r in _items(body)]))

    # -- bins -------------------------------------------------------------------------------------
    def bin(self, name: str) -> "RequestBin":
        """A request bin: point any callback at `.url`; every request to it is recorded."""
        return RequestBin(self, name)

    def provider_url(self, provider: str | None = None) -> str:
        """Where a vendor's client points instead of the vendor: <base_url>/<provider>."""
        return f"{self.base_url}/{provider or self.provider}"

    def health(self) -> dict:
        """GET /_mock/health."""
        return self._run(one(Call("GET", "/health")))

    def wait_healthy(self, timeout: float = 30.0) -> dict:
        """Poll /_mock/health until it answers 200 (a server still starting refuses connections);
        SandboxError saying what it last got after `timeout` real seconds."""
        return self._run(self._poll_health(timeout))

    def _poll_health(self, timeout: float) -> Op:
        deadline, pause = time.monotonic() + timeout, 0.05
        while True:
            reply = yield Call("GET", "/health", accept=None, probe=True)
            if reply.status == 200:
                return reply.body
            if time.monotonic() >= deadline:
                last = f"HTTP {reply.status}: {reply.body!r}" if reply.status else reply.body
                raise SandboxError(f"the SMS sandbox at {self.base_url} did not answer /_mock/health "
                                   f"within {timeout:g} s (last: {last})")
            yield Pause(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)


class RequestBin:
    """`/_mock/bins/{name}`: any method to `url` is recorded; `requests()` reads them newest first."""

    def __init__(self, sandbox: SandboxBase, name: str) -> None:
        self.sandbox, self.name = sandbox, name
        self.url = f"{sandbox.base_url}/_mock/bins/{name}"
        #: The newest request id when the handle was marked: wait_for_request() waits for later ones, so a
        #: bin name reused across runs never hands back an earlier run's request. None: not marked.
        self.since: int | str | None = None

    def mark(self) -> int | str:
        """Remember the bin's newest request now; later waits without `after` see only requests after it.
        The blocking client's `bin()` marks at once; with AsyncSandbox, `await bin.mark()` before acting."""
        return self.sandbox._run(self._mark())

    def _mark(self) -> Op:
        reply = yield Call("GET", f"/bins/{self.name}/requests", {"limit": 1})
        items = _items(reply.body)
        self.since = items[0].get("id", 0) if items else 0
        return self.since

    def answer(self, *, status: int = 200, retry_after: int | None = None, latency: float = 0.0,
               body: str | None = None, fail_first: int = 0) -> dict:
        """Make the bin misbehave (PUT /_mock/bins/{name}): answer `status` (with Retry-After, a body) after
        `latency` s, to every request or only the first `fail_first`; answer() alone restores the usual 200."""
        fields = clean({"status": status, "retry_after": retry_after, "latency": latency, "body": body,
                        "fail_first": fail_first})
        return self.sandbox._run(one(Call("PUT", f"/bins/{self.name}", json=fields)))

    def requests(self, *, after: int | str | None = None, limit: int = 50) -> list[BinRequest]:
        """Recorded requests, newest first; `after`: only those newer than that request id."""
        call = Call("GET", f"/bins/{self.name}/requests", clean({"after": after, "limit": limit}))
        return self.sandbox._run(one(call, lambda body: [BinRequest.model_validate(r) for r in _items(body)]))

    def wait_for_request(self, *, after: int | str | None = None, timeout: float = 10.0) -> BinRequest:
        """The oldest request newer than `after` (default: the mark taken when the handle was made, see
        `mark()`; any request for an unmarked handle), polled until `timeout`."""
        return self.sandbox._run(self._poll(self.since if after is None else after, timeout))

    def _poll(self, after: int | str | None, timeout: float) -> Op:
        deadline, pause = time.monotonic() + timeout, 0.02
        while True:
            reply = yield Call("GET", f"/bins/{self.name}/requests", clean({"after": after, "limit": 500}))
            items = [r for r in _items(reply.body) if _newer(r.get("id"), after)]
            if items:
                return BinRequest.model_validate(items[-1])  # newest first: the last is the oldest new one
            if time.monotonic() >= deadline:
                raise WaitTimeout("request", {"bin": self.name, "after": after}, timeout, [])
            yield Pause(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
