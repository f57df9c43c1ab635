"""Pydantic models of EngageLab's wire format: send, template configs, sign configs, error envelopes.

Field descriptions and examples follow the seed and EngageLab's docs so Swagger's Try-it works as is.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool


class TemplateRef(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt = Field(description="Template ID (string; the integer form of the seed's example "
                                                   "is accepted too).", examples=[1233])
    params: dict[str, Scalar] | None = Field(
        default=None,
        description="Values for the template's {{var}} (and {var}) placeholders; a placeholder without a value "
                    "is sent literally. May be omitted when the template has no variables (EngageLab's own "
                    "client omits it); omitted for a template with variables is 3002 naming the variable.",
        examples=[{"content": "Verification code: 039487."}])


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    to: Annotated[list[StrictStr], Field(min_length=1)] | Annotated[StrictStr, Field(min_length=1)] = Field(
        description="Target phone numbers (a single string is accepted too, as EngageLab's own examples do).",
        examples=[["923700056581"]])
    template: TemplateRef
    plan_name: StrictStr = Field(default="-", description='Plan name; "-" if not provided.')
    schedule_time: StrictInt | None = Field(default=None, description="Scheduled time, unix seconds; omit to send now.")
    custom_args: dict[str, Any] | None = Field(default=None, description="Returned as is in every callback row.")

    def targets(self) -> list[str]:
        return [self.to] if isinstance(self.to, str) else list(self.to)


class ScheduleInfo(BaseModel):
    task_id: int = Field(description="Scheduled task id (a number, as in the seed).")


class SendResponse(BaseModel):
    plan_id: str = Field(description="Plan ID", examples=["1972488990548348928"])
    total_count: int = Field(description="Number of targets received")
    accepted_count: int = Field(description="Number of valid targets received")
    message_id: str | None = Field(default=None, description="Returned for single sends with the message ID")
    schedule_info: ScheduleInfo | None = Field(default=None, description="Returned for scheduled sends")


class SendErrorBody(BaseModel):
    plan_id: str
    total_count: int
    accepted_count: int
    message: str
    code: int = Field(description="1000, 2001, 2002, 2004, 3001, 3002, 3003, 3004, 4001 or 5001")


class ConfigErrorBody(BaseModel):
    code: int = Field(description="400 or 500 (2001/2002/2004 for authentication failures, designed)")
    message: str = Field(examples=["template config not exist"])


class Success(BaseModel):
    code: int = Field(default=0, examples=[0])
    message: str = Field(default="success", examples=["success"])


class TemplateConfigIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    template_name: StrictStr = Field(description="Template name, up to 255 characters", examples=["Order Notification Template"])
    template_type: StrictStr = Field(description="authentication | utility | marketing (legacy otp = authentication)",
                                     examples=["utility"])
    template_content: StrictStr = Field(
        description="Template content; cannot contain 【, 】, 、, 测试, test, [, ]",
        examples=["Your order {order_no} has been shipped and is expected to be delivered by {delivery_time}"])
    country_codes: StrictStr = Field(description="Main destination country codes, comma-separated", examples=["CN,US"])
    add_signature: StrictBool = Field(default=False, description="Whether to add a signature")
    sign_id: StrictStr | StrictInt | None = Field(default=None, description="Required when add_signature is true",
                                                  examples=["987654321"])
    sign_position: StrictInt | None = Field(default=None, description="Required when add_signature is true: "
                                                                       "1 prefix, 2 suffix", examples=[2])


class TemplateCreated(BaseModel):
    template_id: str


class TemplateConfig(BaseModel):
    template_id: str
    template_name: str
    template_type: str
    template_content: str
    country_codes: str
    status: int = Field(description="1 pending review, 2 approved, 3 rejected")
    sign_id: str | None = None
    sign_name: str | None = None
    sign_position: int = Field(description="0 none, 1 prefix, 2 suffix")
    sign_status: int | None = None
    audit_remark: str
    created_time: int
    updated_time: int


class SignConfigIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sign_name: StrictStr = Field(description="2-60 characters, no 【 】 [ ], unique", examples=["MyShop"])


class SignCreated(BaseModel):
    sign_id: str


class SignConfig(BaseModel):
    sign_id: str
    sign_name: str
    status: int = Field(description="1 pending review, 2 approved, 3 rejected")
    related_template_count: int
    audit_remark: str
    created_time: int
    updated_time: int
