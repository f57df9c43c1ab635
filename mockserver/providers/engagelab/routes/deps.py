"""Dependency aliases shared by the routes: runtime, provider settings, the authenticated caller, and the
send-envelope error factory (which honours MOCKSERVER_ENGAGELAB_SEND_ERRORS_HTTP_200)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security

from mockserver.providers.engagelab.auth import AuthFailure, Caller, authenticate, basic_scheme
from mockserver.providers.engagelab.errors import SEND_HTTP_STATUS, ConfigError, SendError
from mockserver.providers.engagelab.settings import EngageLabSettings


def get_runtime(request: Request):
    return request.app.state.runtime


def get_settings(request: Request) -> EngageLabSettings:
    return request.app.state.settings


def target_count(raw: Any) -> int:
    """total_count of a refused body: how many targets it named, when that can be told."""
    to = raw.get("to") if isinstance(raw, dict) else None
    return 1 if isinstance(to, str) else len(to) if isinstance(to, list) else 0


def send_error(request: Request, code: int, message: str | None = None, *, total_count: int = 0,
               http_status: int | None = None) -> SendError:
    """A send error for a request refused before a plan exists (a fresh plan_id, accepted_count 0)."""
    runtime = request.app.state.runtime
    return SendError(code, message, plan_id=str(runtime.ids.snowflake()), total_count=total_count,
                     http_status=send_status(request, code, http_status))


def send_status(request: Request, code: int, http_status: int | None = None) -> int:
    """The table's HTTP status for `code` (or `http_status`), or 200 when send errors are configured so."""
    if request.app.state.settings.send_errors_http_200:
        return 200
    return http_status or SEND_HTTP_STATUS[code]


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
