"""Dependency aliases shared by the routes: runtime, provider settings and the authenticated caller (whose
failures each route family words in its own envelope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security

from mockserver.providers.engagelab.auth import AuthFailure, Caller, authenticate, basic_scheme
from mockserver.providers.engagelab.errors import SEND_HTTP_STATUS, ConfigError, send_error
from mockserver.providers.engagelab.settings import EngageLabSettings


def get_runtime(request: Request):
    return request.app.state.runtime


def get_settings(request: Request) -> EngageLabSettings:
    return request.app.state.settings


AuthHeader = Annotated[str | None, Security(basic_scheme)]


def send_caller(request: Request, header: AuthHeader) -> Caller:
    try:
        return authenticate(request.app.state.runtime, header, "messages")
    except AuthFailure as exc:
        raise send_error(request, exc.code, exc.message) from None


def _config_caller(scope: str):
    def dependency(request: Request, header: AuthHeader) -> Caller:
        try:
            return authenticate(request.app.state.runtime, header, scope)
        except AuthFailure as exc:
            raise ConfigError(exc.message, code=exc.code, http_status=SEND_HTTP_STATUS[exc.code]) from None
    return dependency


SendCaller = Annotated[Caller, Depends(send_caller)]
TemplateCaller = Annotated[Caller, Depends(_config_caller("template-configs"))]
SignCaller = Annotated[Caller, Depends(_config_caller("sign-configs"))]
RuntimeDep = Annotated[Any, Depends(get_runtime)]
SettingsDep = Annotated[EngageLabSettings, Depends(get_settings)]
