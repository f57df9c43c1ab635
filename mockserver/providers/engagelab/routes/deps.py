"""Dependency aliases shared by the routes: runtime, provider settings and the authenticated caller (whose
failures each route family words in its own envelope)."""

from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import Depends, Request, Security

from mockserver.providers.auth import auth_first_route
from mockserver.providers.engagelab.auth import AuthFailure, Caller, authenticate, basic_scheme
from mockserver.providers.engagelab.errors import SEND_HTTP_STATUS, ConfigError, send_error
from mockserver.providers.engagelab.settings import EngageLabSettings


def get_runtime(request: Request):
    return request.app.state.runtime


def get_settings(request: Request) -> EngageLabSettings:
    return request.app.state.settings


AuthHeader = Annotated[str | None, Security(basic_scheme)]


def _gate(scope: str, refuse: Callable[[Request, AuthFailure], Exception]) -> Callable[[Request], None]:
    def gate(request: Request) -> None:
        try:
            request.state.engagelab_caller = authenticate(request.app.state.runtime,
                                                          request.headers.get("authorization"), scope)
        except AuthFailure as exc:
            raise refuse(request, exc) from None
    return gate


def _config_refusal(request: Request, exc: AuthFailure) -> Exception:
    return ConfigError(exc.message, code=exc.code, http_status=SEND_HTTP_STATUS[exc.code])


#: Route classes that authenticate before the body is read, each family refusing in its own envelope.
SendRoute = auth_first_route(_gate("messages", lambda request, exc: send_error(request, exc.code, exc.message)))
TemplateRoute = auth_first_route(_gate("template-configs", _config_refusal))
SignRoute = auth_first_route(_gate("sign-configs", _config_refusal))


def current_caller(request: Request, _header: AuthHeader) -> Caller:
    """The caller the route class authenticated (the Security parameter puts Authorize in Swagger)."""
    return request.state.engagelab_caller


SendCaller = TemplateCaller = SignCaller = Annotated[Caller, Depends(current_caller)]
RuntimeDep = Annotated[Any, Depends(get_runtime)]
SettingsDep = Annotated[EngageLabSettings, Depends(get_settings)]
