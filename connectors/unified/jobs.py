"""The unified job: StackOne's `AtsCreateJobRequestDto`, `AtsUpdateJobRequestDto` and `AtsJob`, field for field,
plus the gateway's extension fields `openings`, `template_id` and `acting_user_id`."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from connectors.unified.common import CustomField, CustomFieldRead, ExtensionFields, JSONValue, ReadModel, WriteModel

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
JOB_STATUS_VALUES: tuple[str, ...] = get_args(JobStatusValue)
Confidential = Literal["true", "false", "unmapped_value"]


class JobStatus(WriteModel):
    """StackOne `AtsJobStatusEnum`: the unified value and what the ATS itself calls it."""

    value: JobStatusValue | None = None
    source_value: JSONValue = None


class HiringTeamMember(WriteModel):
    """StackOne `AtsJobHiringTeam`."""

    user_id: str | None = None
    remote_user_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    role: str | None = None


class InterviewStage(WriteModel):
    """StackOne `InterviewStage`."""

    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    name: str | None = None
    order: float | None = None
    created_at: str | None = None
    updated_at: str | None = None


class JobWrite(ExtensionFields):
    """Body of `POST /unified/ats/jobs` and `PATCH /unified/ats/jobs/{id}` (StackOne's two DTOs are identical)."""

    unified_custom_fields: dict[str, JSONValue] | None = None
    code: str | None = None
    title: str | None = None
    description: str | None = None
    status: str | None = Field(default=None, description="Deprecated by StackOne: use job_status.")
    job_status: JobStatus | None = None
    department_ids: list[str] | None = None
    location_ids: list[str] | None = None
    hiring_team: list[HiringTeamMember] | None = None
    interview_stages: list[InterviewStage] | None = None
    confidential: Confidential | None = None
    custom_fields: list[CustomField] | None = None
    openings: int | None = Field(
        default=None, ge=1, description="Number of openings (gateway extension; Greenhouse requires it)."
    )
    template_id: str | None = Field(
        default=None,
        min_length=1,
        description="Job template to copy (gateway extension; Greenhouse creates jobs from templates).",
    )


class JobStatusRead(ReadModel):
    value: str | None = None
    source_value: JSONValue = None


class HiringTeamMemberRead(ReadModel):
    user_id: str | None = None
    remote_user_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    role: str | None = None


class InterviewStageRead(ReadModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    name: str | None = None
    order: float | None = None
    created_at: str | None = None
    updated_at: str | None = None


class Job(ReadModel):
    """StackOne `AtsJob`."""

    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    code: str | None = None
    title: str | None = None
    description: str | None = None
    status: str | None = None
    job_status: JobStatusRead | None = None
    department_ids: list[str] | None = None
    remote_department_ids: list[str] | None = None
    location_ids: list[str] | None = None
    remote_location_ids: list[str] | None = None
    hiring_team: list[HiringTeamMemberRead] | None = None
    interview_stages: list[InterviewStageRead] | None = None
    confidential: str | None = None
    custom_fields: list[CustomFieldRead] | None = None
    created_at: str | None = None
    updated_at: str | None = None
