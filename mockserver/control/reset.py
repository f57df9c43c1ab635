"""POST /_mock/reset: wipe all state (or one provider's, or one account's) and reload fixtures."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from mockserver.control.deps import RuntimeDep
from mockserver.control.schemas import ResetResult
from mockserver.providers import PROVIDERS

router = APIRouter(tags=["reset"])


class ResetRequest(BaseModel):
    provider: str | None = None
    account_id: str | None = None


@router.post("/reset", response_model=ResetResult)
async def reset(runtime: RuntimeDep, body: ResetRequest | None = None) -> dict:
    """Reset without a restart. Empty body: everything, clock and id seed included."""
    body = body or ResetRequest()
    if body.provider is not None and body.provider not in PROVIDERS:
        raise HTTPException(404, f"unknown provider {body.provider!r}")
    await runtime.reset_quiesced(provider=body.provider, account_id=body.account_id)
    return {"reset": True, "provider": body.provider, "account_id": body.account_id}
