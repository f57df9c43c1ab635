"""PROVIDERS: the one registry of emulated vendors. Adding a provider is one line here."""

from __future__ import annotations

import importlib

from mockserver.providers.base import Provider

PROVIDER_NAMES = ("cast", "smscpr", "mesms", "engagelab")


def _load(name: str) -> Provider | None:
    try:
        module = importlib.import_module(f"mockserver.providers.{name}.app")
    except ModuleNotFoundError as exc:  # a provider package still being built
        if exc.name and exc.name.startswith(f"mockserver.providers.{name}"):
            return None
        raise
    return module.PROVIDER


PROVIDERS: dict[str, Provider] = {p.name: p for p in map(_load, PROVIDER_NAMES) if p is not None}
