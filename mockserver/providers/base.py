"""The Provider spec every vendor package fills in, and the error base class they all share.

A provider is a mounted FastAPI sub-app with the vendor's own paths, errors and docs, plus a
WebhookShaper that turns neutral state changes into that vendor's callback payloads; both are made from
one ProviderContext (context.py), built once per runtime by `Provider.context`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from fastapi import FastAPI
from pydantic_settings import BaseSettings

from mockserver.core.notify import OutgoingWebhook, WebhookShaper
from mockserver.providers.context import NoSettings, ProviderContext

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime


class ProviderError(Exception):
    """Base of each vendor's errors: `http_status` for the wire, `error_code` for the vendor's code.

    Subclasses render the vendor's envelope in `body()`; routers raise, they never build error JSON.
    """

    http_status: int = 400
    error_code: str | int | None = None

    def __init__(self, message: str, *, http_status: int | None = None, error_code: str | int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if http_status is not None:
            self.http_status = http_status
        if error_code is not None:
            self.error_code = error_code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass
class Provider:
    """One emulated vendor: its name (= mount path = fixtures file = tests folder) and its factory."""

    name: str
    title: str
    vendor_base_url: str
    auth: str  # a one-line description for the index page and README
    build_app: Callable[[ProviderContext[Any]], FastAPI]  # build_app(ctx) -> the sub-app
    #: The provider's BaseSettings (MOCKSERVER_<P>_*), filled once into its context.
    settings: type[BaseSettings] = NoSettings
    #: shaper(ctx) -> WebhookShaper: the webhooks.py shaper class, registered as the class itself by every
    #: provider; None when the vendor documents no webhooks.
    shaper: Callable[[ProviderContext[Any]], WebhookShaper] | None = None
    #: make_credentials(runtime, account) -> dict: create key rows for a new account (control API's
    #: POST /_mock/accounts) and return what a client needs, e.g. {"api_key": "cast_..."}.
    make_credentials: Callable[..., dict[str, Any]] | None = None
    #: callback_check(runtime, account, url) -> OutgoingWebhook | None: a probe POSTed when a callback URL
    #: is configured; a non-2xx answer refuses the URL (EngageLab posts {} and wants 200).
    callback_check: Callable[..., OutgoingWebhook | None] | None = None
    #: The statuses that accept a probed URL (None: any 2xx) and how long the probe may take (None: the
    #: webhook timeout). EngageLab: exactly 200 within 3 s.
    callback_check_statuses: frozenset[int] | None = None
    callback_check_timeout: float | None = None
    #: Account fields for accounts created through the control API (e.g. {"currency": "USD"}).
    account_defaults: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The vendor's error catalogue by name (its errors.ERRORS): what fault rules name in `error`.
    errors: dict[str, ProviderError] = field(default_factory=dict)
    #: fault_error(error, request, body) -> ProviderError: fit a catalogue error to the request it answers
    #: (e.g. a fresh plan id); None when the catalogue entry reads right as it is.
    fault_error: Callable[..., ProviderError] | None = None

    def context(self, runtime: Runtime) -> ProviderContext[Any]:
        """The one context the sub-app and the shaper share: the runtime and this provider's settings."""
        return ProviderContext.build(runtime, self.name, self.settings)

    def error_for(self, name: str | None = None, status: int | None = None) -> ProviderError | None:
        """A fresh copy of a catalogue error: by name, else the first answering `status` (else the first
        of the same class, 4xx or 5xx, answering `status` instead); None if there is none."""
        found = self.errors.get(name) if name else None
        if found is None and name:
            return None
        if found is None and status is not None:
            same = [e for e in self.errors.values() if e.http_status == status]
            near = [e for e in self.errors.values() if e.http_status // 100 == status // 100]
            found = (same or near or [None])[0]
        if found is None:
            return None
        error = type(found).__new__(type(found))  # not copy.copy: subclasses' __init__ take other arguments
        error.__dict__.update(found.__dict__)
        error.args, error.headers = found.args, dict(found.headers)
        if status is not None:
            error.http_status = status
        return error
