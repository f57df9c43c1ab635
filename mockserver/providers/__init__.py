"""PROVIDERS: the one registry of emulated vendors. Adding a provider is one line here."""

from __future__ import annotations

import importlib

from mockserver.errors import ProviderImportError
from mockserver.providers.base import Provider

PROVIDER_NAMES = ("cast", "smscpr", "mesms", "engagelab")


def _load(name: str) -> Provider:
    """The provider's PROVIDER; any failure to import it stops the process (never a silent omission)."""
    module_name = f"mockserver.providers.{name}.app"
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001  (ImportError, SyntaxError, an error raised at import time)
        where = getattr(exc, "name", None) or module_name
        raise ProviderImportError(f"provider {name!r} cannot be imported ({where}): "
                                  f"{type(exc).__name__}: {exc}".replace("\n", " ")) from exc
    return module.PROVIDER


PROVIDERS: dict[str, Provider] = {p.name: p for p in map(_load, PROVIDER_NAMES)}
