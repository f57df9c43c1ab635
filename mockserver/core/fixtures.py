"""Load fixtures (TOML): one file per provider with accounts, keys, senders, templates and contact
groups, plus magic_numbers.toml and review.toml. Every start re-applies them: a fixture account whose
entry changed follows the file, one removed from it is retired (its keys stop working, it and its
messages stay; only /_mock/reset deletes); messages and user-made accounts stay. A folder that does
not exist or holds no fixture file is refused (FixturesError), never read as "no accounts"."""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from mockserver.core.clock import parse_iso
from mockserver.core.lifecycle import MagicRule, Outcome
from mockserver.core.models import Account, ApiKey, ContactGroup, Sender, Template
from mockserver.core.store import accounts, catalog, fixture_ledger

SPECIAL = {"magic_numbers", "review"}
#: Files of a fixtures folder that hold no accounts (faults.toml is read by core/faults.py).
NOT_ACCOUNTS = SPECIAL | {"faults"}


class FixturesError(ValueError):
    """The fixtures folder cannot be used; the message is one line (the CLI exits 2 with it)."""


def check_dir(directory: Path) -> None:
    """Refuse a fixtures folder that does not exist or holds no `<provider>.toml`: read as "no
    accounts", it would retire every fixture account of the database (a typo in MOCKSERVER_FIXTURES_DIR)."""
    where = Path(directory).resolve()
    if not where.is_dir():
        raise FixturesError(f"fixtures folder {where} does not exist (MOCKSERVER_FIXTURES_DIR); "
                            "unset it for the bundled fixtures")
    if not any(p.stem not in NOT_ACCOUNTS for p in where.glob("*.toml")):
        raise FixturesError(f"fixtures folder {where} holds no fixture file (<provider>.toml, e.g. cast.toml) "
                            "(MOCKSERVER_FIXTURES_DIR)")


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
    """Bring fixture accounts in line with the files: a missing one is created, one whose entry changed
    since it was last applied is updated, one the files no longer hold is retired (never deleted: its
    messages stay; it comes back if its entry does). Returns accounts seen."""
    seen: set[str] = set()
    applied = fixture_ledger.digests(conn, only)
    for provider, data in provider_files(directory).items():
        if only and provider != only:
            continue
        for acc in data.get("accounts", []):
            digest = hashlib.sha256(json.dumps(acc, sort_keys=True, default=str).encode()).hexdigest()
            exists = accounts.get(conn, acc["id"]) is not None
            if not exists or applied.get(acc["id"]) != digest:  # a retired one has no digest: it follows the file
                # An account without a ledger row predates the ledger (an upgrade): its spent
                # credits stay, everything else follows the file.
                load_account(conn, provider, acc, now, update=exists,
                             keep_credits=exists and acc["id"] not in applied)
                fixture_ledger.record(conn, acc["id"], provider, digest)
            seen.add(acc["id"])
    for account_id in applied.keys() - seen:
        fixture_ledger.retire_account(conn, account_id)
        fixture_ledger.forget(conn, account_id)  # back in the files, it is loaded again (and reactivated)
    return len(seen)


def _account(provider: str, acc: dict[str, Any], now: float) -> Account:
    return Account(
        id=acc["id"], provider=provider, name=acc.get("name", ""), email=acc.get("email", ""),
        credits=int(acc.get("credits", 0)), currency=acc.get("currency", ""),
        billing_type=acc.get("billing_type", "topup"),
        allowed_channels=json.dumps(acc.get("allowed_channels", ["sms", "otp", "bulk"])),
        is_active=bool(acc.get("is_active", True)), dlr_url=acc.get("dlr_url") or None,
        mo_url=acc.get("mo_url") or None, extra=json.dumps(acc.get("extra", {})), created_at=now,
    )


def _key(provider: str, account_id: str, k: dict[str, Any], now: float) -> ApiKey:
    expires = k.get("expires_at")
    return ApiKey(
        provider=provider, key=k["key"], secret=k.get("secret"), account_id=account_id,
        scopes=json.dumps(k.get("scopes", ["*"])), status=k.get("status", "active"),
        expires_at=parse_iso(expires) if isinstance(expires, str) else None,
        ip_allowlist=json.dumps(k.get("ip_allowlist", [])), sandbox=bool(k.get("sandbox", False)), created_at=now,
    )


def load_account(conn, provider: str, acc: dict[str, Any], now: float, update: bool = False,
                 keep_credits: bool = False) -> None:
    """Insert a fixture account and what it owns; with `update`, make an existing one match its entry
    (fields, credits unless keep_credits, keys; senders, templates and groups it lacks are added)."""
    account = _account(provider, acc, now)
    if update:
        fields = account.model_dump(exclude={"id", "created_at", "provider"} | ({"credits"} if keep_credits else set()))
        accounts.set_fields(conn, acc["id"], **fields)
    else:
        accounts.upsert(conn, account)
    for k in acc.get("keys", []):
        key = _key(provider, acc["id"], k, now)
        if not update or not fixture_ledger.update_key(conn, provider, key.key, key.model_dump(
                exclude={"id", "provider", "key", "created_at"})):
            accounts.add_key(conn, key)
    if update:
        fixture_ledger.retire_keys(conn, acc["id"], [k["key"] for k in acc.get("keys", [])])
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
