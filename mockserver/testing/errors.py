"""The test kit's exceptions, pure data with messages that say what happened:

    SandboxError                 anything the kit raises
    ├── SandboxHTTPError         /_mock answered an unexpected status (keeps status and body)
    │   └── NotFoundError        404: no such message, account, webhook or bin
    └── WaitTimeout              a wait ended without a match: says what it waited for and what it saw
"""

from __future__ import annotations

from typing import Any, Sequence


class SandboxError(Exception):
    """Base of every error the kit raises."""


class SandboxHTTPError(SandboxError):
    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.method, self.path, self.status, self.body = method, path, status, body
        super().__init__(f"{method} {path} answered {status}: {body!r}"[:2000])


class NotFoundError(SandboxHTTPError):
    pass


def _describe(item: Any) -> str:
    """One line per thing seen: enough to spot the near miss (wrong number, status, text)."""
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    if get("kind") is not None:  # a webhook
        return f"webhook #{get('id')} {get('kind')} -> {get('url')} [{get('status')}, {get('attempts')} attempts]"
    counts = {k: v for k, v in (get("counts") or {}).items() if v}
    body = (get("body") or "")[:60]
    return (f"message #{get('id')} {get('provider')}/{get('account_id')} to {get('to')} "
            f"[{get('status')} {counts}] {body!r}")


class WaitTimeout(SandboxError, TimeoutError):
    """Raised by wait_for / otp / wait_for_webhook; `waited_for` and `seen` hold the details."""

    def __init__(self, what: str, waited_for: dict, timeout: float, seen: Sequence[Any]) -> None:
        self.what, self.waited_for, self.timeout, self.seen = what, waited_for, timeout, list(seen)
        lines = [f"no {what} matching {waited_for} within {timeout:g} s"]
        if self.seen:
            lines.append(f"the newest {len(self.seen)} in scope were:")
            lines += [f"  - {_describe(s)}" for s in self.seen]
        else:
            lines.append("nothing at all arrived in scope")
        super().__init__("\n".join(lines))
