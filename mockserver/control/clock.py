"""The sandbox clock: read it, advance it (running everything then due), freeze, resume, set."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from mockserver.control.deps import RuntimeDep, invalid
from mockserver.control.schemas import AdvanceReport, ClockState
from mockserver.core.clock import iso_ms, parse_iso

router = APIRouter(prefix="/clock", tags=["clock"])

#: Every date the providers render must stay inside datetime's years 1..9999; past this the sandbox
#: clock would make every later request fail, so a jump or advance beyond it is refused first.
LATEST = parse_iso("9000-01-01T00:00:00Z")


class Advance(BaseModel):
    seconds: float = Field(ge=0, le=10 * 365 * 86400, allow_inf_nan=False)


class SetTime(BaseModel):
    iso: str = Field(description="ISO-8601 time to jump to (1970 to 9000), e.g. 2026-06-01T10:00:00+07:00")

    @field_validator("iso")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            epoch = parse_iso(value)
        except (ValueError, OverflowError):
            raise ValueError("expected an ISO-8601 time, e.g. 2026-06-01T10:00:00+07:00") from None
        if not 0 <= epoch <= LATEST:
            raise ValueError("time must be between 1970-01-01 and 9000-01-01")
        return value


def _state(runtime) -> ClockState:
    now = runtime.clock.now()
    return ClockState(now=now, iso=iso_ms(now), frozen=runtime.clock.frozen)


def _moved(runtime) -> ClockState:
    """The new state, announced on the feed (the inbox's clock follows it)."""
    state = _state(runtime)
    runtime.feed.publish("clock", now=state.now, iso=state.iso, frozen=state.frozen)
    return state


@router.get("", response_model=ClockState)
def get_clock(runtime: RuntimeDep) -> ClockState:
    """The sandbox's current time."""
    return _state(runtime)


@router.post("/advance", response_model=AdvanceReport)
async def advance_clock(body: Advance, runtime: RuntimeDep) -> AdvanceReport:
    """Move time forward through everything due on the way, in order (transitions, webhooks and their
    retries, reviews), bounded by MOCKSERVER_ADVANCE_MAX_WAIT; reports what ran."""
    if runtime.clock.now() + body.seconds > LATEST:
        raise invalid(("body", "seconds"), "the clock cannot pass 9000-01-01", body.seconds)
    report = await runtime.advance(body.seconds)  # each step of the clock is saved to the database
    return AdvanceReport(**_moved(runtime).model_dump(), **report.as_dict())


@router.post("/set", response_model=ClockState)
async def set_clock(body: SetTime, runtime: RuntimeDep) -> ClockState:
    """Jump to a time (forward only is meaningful for scheduled work); runs what is then due."""
    await asyncio.to_thread(runtime.clock.set, parse_iso(body.iso))
    await runtime.settle()
    return _moved(runtime)


@router.post("/freeze", response_model=ClockState)
def freeze_clock(runtime: RuntimeDep) -> ClockState:
    """Stop time: nothing becomes due until the clock is advanced or resumed."""
    runtime.clock.freeze()
    return _moved(runtime)


@router.post("/resume", response_model=ClockState)
def resume_clock(runtime: RuntimeDep) -> ClockState:
    """Let time run again from where it was frozen."""
    runtime.clock.resume()
    return _moved(runtime)
