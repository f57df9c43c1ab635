"""Load fixtures (TOML): one file per provider with accounts, keys, senders, templates and contact
groups, plus magic_numbers.toml and review.toml. Loading is idempotent: existing rows are kept."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from mockserver.core.clock import parse_iso
from mockserver.core.lifecycle import MagicRule, Outcome
from mockserver.core.models import Account, ApiKey, ContactGroup, Sender, Template
from mockserver.core.store import accounts, catalog

SPECIAL = {"magic_numbers", "review"}


def bundled_dir() -> Path:
    return Path(str(resources.files("mockserver.fixtures")))


def read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def provider_files(directory: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(directory.glob("*.toml")):
        if path.stem not in SPECIAL:
            with path.open("rb") as fh:
                out[path.stem] = tomllib.load(fh)
    return out


def magic_rules(directory: Path) -> tuple[MagicRule, ...]:
    data = read(directory, "magic_numbers")
    return tuple(
        MagicRule(str(r["suffix"]), Outcome(r["outcome"]), r.get("description", "")) for r in data.get("rule", [])
    )


def review_patterns(directory: Path) -> tuple[str, ...]:
    return tuple(read(directory, "review").get("reject_patterns", []))


def load(conn, directory: Path, now: float, only: str | None = None) -> int:
    """Insert every fixture account (and what it owns) that is not there yet; returns accounts seen."""
    seen = 0
    for provider, data in provider_files(directory).items():
        if only and provider != only:
            continue
        for acc in data.get("accounts", []):
            load_account(conn, provider, acc, now)
            seen += 1
    return seen


def load_account(conn, provider: str, acc: dict[str, Any], now: float) -> None:
    accounts.upsert(conn, Account(
        id=acc["id"], provider=provider, name=acc.get("name", ""), email=acc.get("email", ""),
        credits=int(acc.get("credits", 0)), currency=acc.get("currency", ""),
        billing_type=acc.get("billing_type", "topup"),
        allowed_channels=json.dumps(acc.get("allowed_channels", ["sms", "otp", "bulk"])),
        is_active=bool(acc.get("is_active", True)), dlr_url=acc.get("dlr_url") or None,
        mo_url=acc.get("mo_url") or None, extra=json.dumps(acc.get("extra", {})), created_at=now,
    ))
    for k in acc.get("keys", []):
        expires = k.get("expires_at")
        accounts.add_key(conn, ApiKey(
            provider=provider, key=k["key"], secret=k.get("secret"), account_id=acc["id"],
            scopes=json.dumps(k.get("scopes", ["*"])), status=k.get("status", "active"),
            expires_at=parse_iso(expires) if isinstance(expires, str) else None,
            ip_allowlist=json.dumps(k.get("ip_allowlist", [])), sandbox=bool(k.get("sandbox", False)), created_at=now,
        ))
    for i, s in enumerate(acc.get("senders", []), start=1):
        if catalog.sender_by_name(conn, acc["id"], s["name"]) is None:
            catalog.add_sender(conn, Sender(
                public_id=str(s.get("id", i)), provider=provider, account_id=acc["id"], name=s["name"],
                status=s.get("status", "approved"), channel=s.get("channel", "sms"), label=s.get("label", ""),
                extra=json.dumps(s.get("extra", {})), created_at=now, updated_at=now,
            ))
    for t in acc.get("templates", []):
        if catalog.template(conn, acc["id"], str(t["id"])) is None:
            catalog.add_template(conn, Template(
                public_id=str(t["id"]), provider=provider, account_id=acc["id"], name=t.get("name", str(t["id"])),
                content=t["content"], kind=t.get("kind", ""), status=t.get("status", "approved"),
                extra=json.dumps(t.get("extra", {})), created_at=now, updated_at=now,
            ))
    for g in acc.get("groups", []):
        if catalog.group(conn, acc["id"], str(g["id"])) is None:
            catalog.add_group(conn, ContactGroup(
                public_id=str(g["id"]), provider=provider, account_id=acc["id"], name=g.get("name", ""),
                numbers=json.dumps(g.get("numbers", [])), created_at=now,
            ))
