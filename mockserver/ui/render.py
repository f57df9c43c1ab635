"""Jinja2 environment of the inbox: templates shipped in the package, and the small filters they use
(sandbox times, provider colours, status families, delivery ticks). No HTTP routes here."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

HERE = Path(__file__).parent

#: One colour per provider badge (unknown providers fall back to grey).
PROVIDER_COLOURS = {"cast": "#2563eb", "smscpr": "#7c3aed", "mesms": "#059669", "engagelab": "#ea580c"}

#: Status -> chip family: what a developer scans for (done well, in flight, went wrong).
STATUS_FAMILY = {
    "delivered": "ok", "completed": "ok", "sent": "flight", "queued": "flight", "scheduled": "wait",
    "undelivered": "bad", "failed": "bad", "expired": "bad", "rejected": "bad", "blocked": "bad",
    "timeout": "bad", "cancelled": "muted", "invalid": "muted", "pending": "flight",
}


def hms(iso: str | None) -> str:
    """'2026-11-30T13:05:33.277Z' -> '13:05:33' (the list shows the sandbox clock's time of day)."""
    return iso[11:19] if iso else ""


def day_time(iso: str | None) -> str:
    return f"{iso[:10]} {iso[11:19]}" if iso else ""


def ticks(status: str | None) -> str:
    """Phone-style delivery ticks for an outbound bubble."""
    return {"queued": "○", "scheduled": "○", "sent": "✓", "delivered": "✓✓"}.get(status or "", "✕")


def pretty_json(text: Any) -> str:
    if isinstance(text, str):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return json.dumps(text, indent=2, ensure_ascii=False)


def epoch_iso(value: float | None) -> str:
    if value is None:
        return ""
    return datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(hms=hms, day_time=day_time, ticks=ticks, pretty_json=pretty_json, epoch_iso=epoch_iso,
                       family=lambda s: STATUS_FAMILY.get(s or "", "muted"),
                       colour=lambda p: PROVIDER_COLOURS.get(p, "#64748b"),
                       tojson_attr=lambda v: json.dumps(v, ensure_ascii=False))
    return env


ENV = _env()


def page(name: str, **context: Any) -> HTMLResponse:
    """Render a template to an HTML response (full page or a fragment alike)."""
    return HTMLResponse(ENV.get_template(name).render(**context))
