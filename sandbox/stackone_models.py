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


class PhoneNumber(BaseModel):
    type: Literal["personal", "work", "mobile", "home", "unknown", "other", "unmapped_value"] | None = None
    phone: str | None = None


class SocialLink(BaseModel):
    type: str | None = None
    url: str | None = None


class CandidateEmail(BaseModel):
    type: str | None = None
    value: str | None = None


class Tag(BaseModel):
    remote_id: str | None = None
    name: str | None = None


class AtsCreateCandidateRequestDto(BaseModel):
    model_config = ConfigDict(extra="allow")

    passthrough: dict[str, Any] | None = None
    unified_custom_fields: dict[str, Any] | None = None
    phone_number: str | None = None
    phone_numbers: list[PhoneNumber] | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    social_links: list[SocialLink] | None = None
    company: str | None = None
    title: str | None = None
    hired_at: str | None = None
    country: str | None = None
    custom_fields: list[CustomFields] | None = None


class AtsUpdateCandidateRequestDto(BaseModel):
    model_config = ConfigDict(extra="allow")

    passthrough: dict[str, Any] | None = None
    unified_custom_fields: dict[str, Any] | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    emails: list[CandidateEmail] | None = None
    social_links: list[SocialLink] | None = None
    phone: str | None = None
    phone_numbers: list[PhoneNumber] | None = None
    company: str | None = None
    title: str | None = None
    application_ids: list[str] | None = None
    hired_at: str | None = None
    country: str | None = None
    custom_fields: list[CustomFields] | None = None


class Candidate(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, Any] | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    emails: list[CandidateEmail] | None = None
    social_links: list[SocialLink] | None = None
    phone: str | None = None
    phone_numbers: list[PhoneNumber] | None = None
    company: str | None = None
    title: str | None = None
    application_ids: list[str] | None = None
    remote_application_ids: list[str] | None = None
    hired_at: str | None = None
    country: str | None = None
    custom_fields: list[CustomFields] | None = None
    tags: list[Tag] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class AtsCreateApplicationRequestDto(BaseModel):
    """Nested objects are kept as the caller sent them; the sandbox stores what it needs of them."""

    model_config = ConfigDict(extra="allow")

    passthrough: dict[str, Any] | None = None
    job_id: str | None = None
    job_posting_id: str | None = None
    location_id: str | None = None
    application_status: dict[str, Any] | None = None
    questionnaires: list[dict[str, Any]] | None = None
    source: dict[str, Any] | None = None
    candidate_id: str | None = None
    candidate: AtsCreateCandidateRequestDto | None = None
    documents: list[dict[str, Any]] | None = None


class AtsCreateCandidatesAssessmentsRequestDto(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    package: dict[str, Any] | None = None
    application: dict[str, Any] | None = None
    job: dict[str, Any] | None = None
    candidate: dict[str, Any] | None = None
    requester: dict[str, Any] | None = None
    results_update_url: str | None = None
    passthrough: dict[str, Any] | None = None


class CreateAssessmentOrderResult(BaseModel):
    id: str | None = None
    remote_id: str | None = None
    test_url: str | None = None


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
    "PhoneNumber": PhoneNumber,
    "SocialLink": SocialLink,
    "CandidateEmail": CandidateEmail,
    "Tag": Tag,
    "AtsCreateCandidateRequestDto": AtsCreateCandidateRequestDto,
    "AtsUpdateCandidateRequestDto": AtsUpdateCandidateRequestDto,
    "Candidate": Candidate,
    "AtsCreateApplicationRequestDto": AtsCreateApplicationRequestDto,
    "AtsCreateCandidatesAssessmentsRequestDto": AtsCreateCandidatesAssessmentsRequestDto,
    "CreateAssessmentOrderResult": CreateAssessmentOrderResult,
}
