"""POST /v1/messages: send a template to one or many targets, now or at schedule_time."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from mockserver.providers import bodies
from mockserver.providers.openapi import error_responses
from mockserver.providers.engagelab import messages
from mockserver.providers.engagelab.auth import CallerDep, ContextDep, EngageLabSendRoute
from mockserver.providers.engagelab.errors import send_error, target_count
from mockserver.providers.engagelab.schemas import SendErrorBody, SendRequest, SendResponse

router = APIRouter(tags=["Messages"], route_class=EngageLabSendRoute)

# The seed's request examples, verbatim apart from the scheduled one's time (it must lie in the future).
EXAMPLES = {
    "single": {"summary": "Single target (seed)", "value": {"to": ["923700056581"], "template": {"id": 1233, "params": {
        "content": "Verification code: 039487. This code will expire in 5 minutes. You are attempting to create "
                   "your account."}}}},
    "notification": {"summary": "Custom notification content (seed)", "value": {
        "to": "+8618701235678", "template": {"id": "notification-template", "params": {"order": "123456"}}}},
    "marketing": {"summary": "Custom marketing content (seed)", "value": {
        "to": "+8618701235678", "template": {"id": "marketing-template",
                                             "params": {"name": "EngageLab", "promotion": "30%"}}}},
    "scheduled": {"summary": "Scheduled task", "value": {
        "to": ["+8618701235678"], "template": {"id": "notification-template", "params": {"order": "123456"}},
        "plan_name": "nightly", "schedule_time": 4102444800, "custom_args": {"order_id": "ORDER123"}}},
}

DESCRIPTION = """Send an approved template. `{{var}}` and `{var}` placeholders are filled from `template.params`;
an unfilled placeholder is sent literally. Invalid targets reduce `accepted_count` and get a `target_invalid`
callback. `message_id` comes back for a single target, `schedule_info.task_id` for a scheduled send.

Errors use the body `{plan_id, total_count, accepted_count, message, code}` with the HTTP status of the seed's
table (MOCKSERVER_ENGAGELAB_SEND_ERRORS_HTTP_200=true answers them with 200 instead).

DESIGNED where EngageLab is silent: a pending or rejected template, a signature that is not approved, a past
`schedule_time` and insufficient balance are 3003; a millisecond `schedule_time` is 3002; an
authentication-type template sent again to the same target within MOCKSERVER_ENGAGELAB_OTP_VALIDITY seconds
(default 300) is 3004 for the whole request; an authentication-type send to a magic 'failed' number
(…999001) is 5001. Refused requests store nothing; accepted_count is 0 in every error body."""

RESPONSES = error_responses(SendErrorBody, 400, 401, 403, 500)


@router.post("/v1/messages", response_model=SendResponse, response_model_exclude_none=True, summary="Send SMS",
             description=DESCRIPTION, responses=RESPONSES, openapi_extra=bodies.openapi_body(SendRequest, EXAMPLES))
async def send_messages(request: Request, caller: CallerDep, ctx: ContextDep) -> dict[str, Any]:
    """Send template SMS to one or many targets, now or at schedule_time."""
    try:
        req = await bodies.parse(request, SendRequest)
    except bodies.BodyError as exc:
        code = 3001 if exc.not_json else 3002
        message = f"{'Invalid request parameter format' if exc.not_json else 'Invalid request parameters'}: {exc.message}"
        raise send_error(request, code, message, total_count=target_count(exc.raw)) from None
    if len(req.targets()) <= messages.GROUPED_TARGETS:
        result = await messages.send_grouped(ctx.runtime, ctx.settings, caller.account, req)
    else:
        result = await run_in_threadpool(messages.send, ctx.runtime, ctx.settings, caller.account, req)
    out: dict[str, Any] = {"plan_id": result.plan_id, "total_count": result.total_count,
                           "accepted_count": result.accepted_count}
    if result.task_id is not None:  # the seed's scheduled example carries no message_id, even for one target
        out["schedule_info"] = {"task_id": result.task_id}
    elif result.message_id is not None:
        out["message_id"] = result.message_id
    return out
