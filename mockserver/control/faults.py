"""/_mock/faults: fault rules as data (create, list, read with hit counters, delete), checked against the
named provider's error catalogue; install_faults() brings fixtures/faults.toml's rules into the store at start
and after a reset. The rules live in the store (core/faults.py), so every process serves the same ones."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from mockserver.control.deps import RuntimeDep
from mockserver.control.schemas import Fault, FaultList
from mockserver.core.faults import FaultRule
from mockserver.core.lifecycle import Outcome
from mockserver.core.runtime import Runtime
from mockserver.providers import PROVIDERS

router = APIRouter(prefix="/faults", tags=["faults"])

FAULTS_FILE = "faults.toml"


class FaultIn(BaseModel):
    """A rule: match fields narrow it (unset: any), effect fields say what happens. See docs/faults.md."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # NaN/Infinity: a 422, not a 500

    name: str = Field("", description="Name for X-Mock-Fault: <name> and for the inbox badge.")
    provider: str | None = Field(None, description="cast | smscpr | mesms | engagelab; unset: every provider.")
    account_id: str | None = Field(None, description="Only requests carrying a credential of this account.")
    method: str | None = Field(None, description="HTTP method, e.g. POST.")
    path: str | None = Field(None, description="Glob on the vendor path below the mount, e.g. /api/*/sms/send.")
    to: str | None = Field(None, description="Glob on the destination digits, e.g. *7.")
    times: int | None = Field(None, ge=1, description="Fire this many times, then stop.")
    after: int = Field(0, ge=0, description="Let this many matching occurrences through first.")
    probability: float | None = Field(None, ge=0, le=1, description="Chance to fire, drawn from the sandbox seed.")
    on_demand: bool = Field(False, description="Fire only for requests sending X-Mock-Fault: <name>.")
    error: str | None = Field(None, description="A name from the provider's error catalogue, e.g. SERVICE_UNAVAILABLE.")
    status: int | None = Field(None, ge=400, le=599, description="HTTP status (picks the catalogue's error for it).")
    retry_after: int | None = Field(None, ge=1, le=3600, description="Retry-After seconds (429s get 1 by default).")
    charge: bool = Field(False, description="The vendor would have charged: the send is stored, the error answered.")
    latency_ms: int | list[int] | None = Field(None, description="Extra latency: ms, or [low, high].")
    hang: bool = Field(False, description="Hold the request until the client disconnects or hang_s passes.")
    hang_s: float = Field(60.0, gt=0, le=3600, description="Longest hang; then the connection drops.")
    drop_connection: bool = Field(False, description="Close the connection without an answer.")
    malformed: Literal["invalid_json", "truncated"] | bool | None = Field(
        None, description="invalid_json (true): half the body; truncated: half the body, then the connection drops.")
    dlr_status: Outcome | None = Field(None, description="Final outcome of matched recipients, e.g. undelivered.")
    dlr_delay_s: float | None = Field(None, ge=0, le=10 * 365 * 86400, description="Matched recipients' receipts come this much later.")
    dlr_drop: bool = Field(False, description="The final receipt of matched recipients is never sent.")
    dlr_duplicate: bool = Field(False, description="Every receipt of matched recipients is sent twice.")
    webhook_latency_ms: int | None = Field(None, ge=0, description="Receipts to the client wait this long first.")
    webhook_reorder: bool = Field(False, description="Intermediate receipts arrive after the final one.")


def to_rule(spec: dict[str, Any]) -> FaultRule:
    """A checked rule (ValueError names what is wrong): a known provider, an error its catalogue has."""
    provider = spec.get("provider")
    if provider is not None and provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; one of {sorted(PROVIDERS)}")
    error = spec.get("error")
    if error is not None:
        if provider is None:
            raise ValueError("error names an entry of one provider's catalogue: set provider")
        if error not in PROVIDERS[provider].errors:
            raise ValueError(f"{provider} has no error {error!r}; one of {sorted(PROVIDERS[provider].errors)}")
    status = spec.get("status")
    if status is not None and provider is not None and PROVIDERS[provider].error_for(status=status) is None:
        raise ValueError(f"{provider} has no error answering {spec['status']}")
    known = {f.name for f in fields(FaultRule)} - {"id", "hits", "seen"}
    return FaultRule(**{k: (str(v) if k == "dlr_status" and v is not None else v)
                        for k, v in spec.items() if k in known})


def fixture_rules(path: Path) -> list[tuple[FaultRule, str]]:
    """The rules of fixtures/faults.toml, each with the digest of its entry (what the store ledgers)."""
    if not path.is_file():
        return []
    specs = tomllib.loads(path.read_text(encoding="utf-8")).get("rule", [])
    return [(to_rule(spec), hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest())
            for spec in specs]


def install_faults(runtime: Runtime) -> None:
    """Bring fixtures/faults.toml's rules into the store now (a restart neither duplicates them nor drops
    the rules added through the API) and after every full reset (which first clears the reset's rules)."""
    path = runtime.fixtures_dir / FAULTS_FILE

    def on_reset(provider: str | None) -> None:
        runtime.faults.clear(provider)
        if provider is None:
            runtime.faults.sync_fixtures(fixture_rules(path))

    runtime.faults.sync_fixtures(fixture_rules(path))
    runtime.on_reset(on_reset)


@router.post("", status_code=201, response_model=Fault)
def create_fault(body: FaultIn, runtime: RuntimeDep) -> dict:
    """Add a fault rule; answers the rule with its id and counters."""
    try:
        rule = to_rule(body.model_dump())
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return runtime.faults.add(rule).view()


@router.get("", response_model=FaultList)
def list_faults(runtime: RuntimeDep) -> dict:
    """Every fault rule with its hit counters."""
    return {"items": [r.view() for r in runtime.faults.all()]}


@router.get("/{fault_id}", response_model=Fault)
def get_fault(fault_id: str, runtime: RuntimeDep) -> dict:
    """One fault rule: `hits` (times it fired), `seen` (times it matched), `exhausted`."""
    rule = runtime.faults.get(fault_id)
    if rule is None:
        raise HTTPException(404, f"fault {fault_id} not found")
    return rule.view()


@router.delete("/{fault_id}", status_code=204)
def delete_fault(fault_id: str, runtime: RuntimeDep) -> Response:
    """Remove one fault rule."""
    if not runtime.faults.delete(fault_id):
        raise HTTPException(404, f"fault {fault_id} not found")
    return Response(status_code=204)


@router.delete("", status_code=204)
def clear_faults(runtime: RuntimeDep) -> Response:
    """Remove every fault rule (messages already touched keep their marks until a reset)."""
    for rule in runtime.faults.all():
        runtime.faults.delete(rule.id)
    return Response(status_code=204)
