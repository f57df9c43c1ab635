"""The one table of vendors for cross-vendor tests: each `tests/providers/<p>/kit.py` exports a `VENDOR`
record (send path and body, fixture credentials, a valid number, error envelope, 401/413/429 shapes), and
`VENDORS` collects one per provider in the `mockserver.providers` registry, so a new vendor gets every
hardening, fault, OpenAPI and back-pressure test once its kit has a record (and fails loudly until then).
"""

from __future__ import annotations

import base64
import importlib
import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@cache
def fixture(provider: str) -> dict[str, Any]:
    """fixtures/<provider>.toml, parsed: credentials come from here, never from literals in tests."""
    return tomllib.loads((FIXTURES / f"{provider}.toml").read_text(encoding="utf-8"))


def first_key(provider: str) -> dict[str, Any]:
    """The first key of the provider's first fixture account (its README credential)."""
    return fixture(provider)["accounts"][0]["keys"][0]


def key_of(provider: str, account_id: str | None = None, index: int = 0) -> dict[str, Any]:
    """Key `index` of a fixture account (default: the first account)."""
    accounts = fixture(provider)["accounts"]
    account = next(a for a in accounts if a["id"] == account_id) if account_id else accounts[0]
    return account["keys"][index]


def basic(user: str, password: str) -> str:
    """An HTTP Basic Authorization value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def digits(value: Any) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


@dataclass(frozen=True)
class Shape:
    """How a vendor words one refusal: its HTTP status, the envelope's keys and its error code."""

    status: int
    keys: frozenset[str]
    code_field: str
    code: str | int
    says: str = ""  # words the refusal's message holds

    def check(self, resp) -> dict:
        """Assert `resp` is this refusal (status, exactly these keys, this code) and return its body."""
        assert resp.status_code == self.status, resp.text
        body = resp.json()
        assert set(body) == self.keys, body
        assert body[self.code_field] == self.code, body
        assert self.says in resp.text, body
        return body


@dataclass(frozen=True)
class Vendor:
    """One emulated vendor as a client sees it. Everything is reached through HTTP under `/<name>`.

    `credentials` are in the form POST /_mock/accounts returns for the vendor (read from its fixtures);
    `auth` turns such credentials into request headers and `compose` builds a send body from msisdns
    (digits), a text and credentials, so the same record drives fixture and freshly made accounts.
    """

    name: str
    account_id: str  # the fixture account the credentials belong to
    path: str  # the send path below the mount
    credentials: Mapping[str, str]
    auth: Callable[[Mapping[str, str]], dict[str, str]]
    compose: Callable[[Sequence[str], str, Mapping[str, str]], dict]
    number: str  # a number as the vendor's docs write it
    msisdn: str  # ... and as the sandbox stores it
    pair: tuple[str, str]  # two msisdns (digits) the vendor accepts; only the second ends in 7
    envelope: frozenset[str]  # the keys of the send route's error body
    error_field: str  # the key that names the error in `envelope`
    unauthorized: Shape
    too_large: Shape
    rate_limited: Shape
    #: provider settings under which a second call of the send route is refused with 429 and a Retry-After
    #: beyond an hour (None: the vendor has no request rate limit, only back-pressure's 429)
    limiter: Mapping[str, Any] | None
    #: the error envelope's keys for another route (path below the mount); default: `envelope`
    envelope_at: Callable[[str], frozenset[str]] | None = None
    #: a receipt body -> [(msisdn digits, the vendor's status word)]
    receipts: Callable[[Any], list[tuple[str, str]]] = lambda body: []
    webhooks: bool = True  # whether the vendor documents delivery receipts
    #: the ids a successful send's answer holds (what a client keeps to look its message up)
    returned_ids: Callable[[dict], list[str]] = lambda body: []
    currency: str = ""  # the currency of accounts made through the control API
    also: tuple[str, ...] = ()  # other paths of the same send route (Cast's legacy /api/sms/send)
    body_limit: int | None = None  # the vendor's own published body limit (None: only the sandbox's global one)
    #: (name, status, body) of one catalogue error (a fault rule's `error`) as the send route answers it
    #: (EngageLab's fresh plan_id left out)
    catalogue_error: tuple[str, int, Mapping[str, Any]] | None = None
    #: what a user clicks in the vendor's Swagger UI: (credential fields typed into Authorize, the send
    #: operation, the lookup operation or None, its path parameter, the id field of the send's answer)
    swagger: tuple[tuple[str, ...], str, str | None, str | None, str] | None = None

    @property
    def url(self) -> str:
        """The send route's path on the main port."""
        return f"/{self.name}{self.path}"

    @property
    def headers(self) -> dict[str, str]:
        """The fixture credential's auth headers."""
        return self.auth(self.credentials)

    def body(self, to: Sequence[str] | str | None = None, text: str = "Your code is 123456",
             credentials: Mapping[str, str] | None = None) -> dict:
        """A valid send body to `to` (msisdn digits; default this vendor's `msisdn`)."""
        numbers = [to] if isinstance(to, str) else list(to or [self.msisdn])
        return self.compose(numbers, text, credentials or self.credentials)

    def raw_body(self, text: str = "hello") -> bytes:
        """The valid send body as JSON bytes (for tests that post `content=`)."""
        return json.dumps(self.body(text=text)).encode()

    def send(self, client, to: Sequence[str] | str | None = None, text: str = "Your code is 123456",
             credentials: Mapping[str, str] | None = None, **headers: str):
        """POST one valid send with the fixture (or given) credentials; `client` is any httpx-like client."""
        auth = self.auth(credentials) if credentials is not None else self.headers
        return client.post(self.url, json=self.body(to, text, credentials), headers={**auth, **headers})

    def envelope_of(self, path: str) -> frozenset[str]:
        """The error envelope's keys at `path` (below the mount)."""
        return self.envelope_at(path) if self.envelope_at else self.envelope


def collect(names: Iterable[str]) -> dict[str, Vendor]:
    """`VENDOR` of `tests.providers.<name>.kit` for each name that has one (see `uncovered`)."""
    found = {}
    for name in names:
        try:
            kit = importlib.import_module(f"tests.providers.{name}.kit")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.providers.{name}", f"tests.providers.{name}.kit"):
                raise
            continue
        record = getattr(kit, "VENDOR", None)
        if isinstance(record, Vendor):
            assert record.name == name, f"tests/providers/{name}/kit.py exports VENDOR {record.name!r}"
            found[name] = record
    return found


def uncovered(registry: Iterable[str], vendors: Mapping[str, Vendor]) -> list[str]:
    """Registered providers without a vendor record: each one misses every cross-vendor test."""
    return sorted(set(registry) - set(vendors))


def registered() -> list[str]:
    from mockserver.providers import PROVIDERS

    return list(PROVIDERS)


def __getattr__(name: str) -> Any:
    """`VENDORS` is collected on first use: the kits import `Vendor` from here, so collecting at import
    time would find a kit half-imported when a test imports that kit first."""
    if name == "VENDORS":
        vendors = collect(registered())
        globals()["VENDORS"] = vendors
        return vendors
    raise AttributeError(name)
