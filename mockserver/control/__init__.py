"""Our own API under /_mock for tests and operators: health, reset, clock, and (one file per
resource) accounts, messages, inbound, webhooks, faults. Sees providers only through the PROVIDERS registry.
The app is built in app.py; its answers are declared in schemas.py, which the test kit imports, so this
package's own import stays light (no FastAPI, no runtime) until the app is asked for."""

from __future__ import annotations

from typing import Any

_LAZY = frozenset({"build_control_app", "short_errors", "EXCERPT_CHARS", "MAX_ERRORS", "RESOURCES"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from mockserver.control import app
        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
