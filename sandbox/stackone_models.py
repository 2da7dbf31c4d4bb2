"""The sandbox's own model of StackOne's ATS schemas (held to ../shared/vendor/stackone by the contract tests)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

JobStatusValue = Literal[
    "published",
    "draft",
    "pending",
    "internal",
    "archived",
    "closed",
    "open",
    "deleted",
    "on_hold",
    "unmapped_value",
]


class AtsJobStatusEnum(BaseModel):
    value: JobStatusValue | None = None
    source_value: str | float | bool | dict[str, Any] | list[Any] | None = None


class AtsJobHiringTeam(BaseModel):
    user_id: str | None = None
    remote_user_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    role: str | None = None


class InterviewStage(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, Any] | None = None
    name: str | None = None
    order: float | None = None
    created_at: str | None = None
    updated_at: str | None = None


class CustomFields(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    name: str | None = None
    value: str | float | bool | dict[str, Any] | list[Any] | None = None
    value_id: str | None = None
    remote_value_id: str | None = None


class AtsCreateJobRequestDto(BaseModel):
    """No field is required; StackOne validates per provider. Unknown keys are accepted, as the schema allows."""

    model_config = ConfigDict(extra="allow")

    unified_custom_fields: dict[str, Any] | None = None
    code: str | None = None
    title: str | None = None
    description: str | None = None
    status: str | None = None
    job_status: AtsJobStatusEnum | None = None
    department_ids: list[str] | None = None
    location_ids: list[str] | None = None
    hiring_team: list[AtsJobHiringTeam] | None = None
    interview_stages: list[InterviewStage] | None = None
    confidential: Literal["true", "false", "unmapped_value"] | None = None
    custom_fields: list[CustomFields] | None = None
    passthrough: dict[str, Any] | None = None


class AtsUpdateJobRequestDto(AtsCreateJobRequestDto):
    pass


class AtsJob(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, Any] | None = None
    code: str | None = None
    title: str | None = None
    description: str | None = None
    status: str | None = None
    job_status: AtsJobStatusEnum | None = None
    department_ids: list[str] | None = None
    remote_department_ids: list[str] | None = None
    location_ids: list[str] | None = None
    remote_location_ids: list[str] | None = None
    hiring_team: list[AtsJobHiringTeam] | None = None
    interview_stages: list[InterviewStage] | None = None
    confidential: Literal["true", "false", "unmapped_value"] | None = None
    custom_fields: list[CustomFields] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class Department(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, Any] | None = None
    name: str | None = None


class ATSLocation(Department):
    pass


class User(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, Any] | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    phone: str | None = None


VENDOR_SCHEMAS: dict[str, type[BaseModel]] = {
    "AtsJobStatusEnum": AtsJobStatusEnum,
    "AtsJobHiringTeam": AtsJobHiringTeam,
    "InterviewStage": InterviewStage,
    "CustomFields": CustomFields,
    "AtsCreateJobRequestDto": AtsCreateJobRequestDto,
    "AtsUpdateJobRequestDto": AtsUpdateJobRequestDto,
    "AtsJob": AtsJob,
    "Department": Department,
    "ATSLocation": ATSLocation,
    "User": User,
}
