"""Dependency aliases for me-sms routes: the runtime and the provider settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mockserver.core.runtime import Runtime
from mockserver.providers.mesms.settings import MesmsSettings


# Async: a plain def dependency costs a worker-thread hop per request, for an attribute lookup.
async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_settings(request: Request) -> MesmsSettings:
    return request.app.state.mesms_settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[MesmsSettings, Depends(get_settings)]
