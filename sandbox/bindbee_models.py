"""The sandbox's own model of Bindbee's ATS schemas (held to ../shared/vendor/bindbee by the contract tests)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

JobStatus = Literal["OPEN", "CLOSED", "DRAFT", "ARCHIVED", "PENDING", "-"]
UrlType = Literal["PERSONAL", "COMPANY", "PORTFOLIO", "BLOG", "SOCIAL_MEDIA", "OTHER", "JOB_POSTING", "-"]
AccessRole = Literal["ADMIN", "SUPER_ADMIN", "TEAM_MEMBER", "LIMITED_TEAM_MEMBER", "INTERVIEWER", "RECRUITER", "-"]


class AtsUrl(BaseModel):
    value: str | None
    url_type: UrlType | None


class CreateAtsJob(BaseModel):
    """`POST /api/ats/v1/jobs` body. Like Bindbee's FastAPI service, unknown keys are ignored, not rejected."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    description: str | None = None
    code: str | None = None
    status: JobStatus | None = None
    job_posting_urls: list[AtsUrl] | None = None
    confidential: bool | None = None
    departments: list[uuid.UUID] | None = None
    offices: list[uuid.UUID] | None = None
    hiring_managers: list[uuid.UUID] | None = None
    recruiters: list[uuid.UUID] | None = None
    template_id: str | None = None
    remote_user_id: uuid.UUID | None = None
    openings: int | None = None


class _Common(BaseModel):
    id: uuid.UUID
    remote_id: str | None
    modified_at: str
    raw_data: dict[str, Any] | None = None
    custom_fields: dict[str, Any] | None


class AtsJob(_Common):
    name: str | None
    description: str | None
    code: str | None
    status: str | None
    job_posting_urls: list[AtsUrl] | None
    remote_created_at: str | None
    remote_updated_at: str | None
    confidential: bool | None
    departments: list[Any] | None
    offices: list[Any] | None
    hiring_managers: list[Any] | None
    recruiters: list[Any] | None


class AtsDepartment(_Common):
    name: str | None


class AtsOffice(_Common):
    name: str | None
    location: str | None


class AtsRemoteUser(_Common):
    first_name: str | None
    last_name: str | None
    email: str | None
    disabled: bool | None
    remote_created_at: str | None
    access_role: AccessRole | None


class PostCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    is_private: bool | None = None
    can_email: bool | None = None
    locations: list[str] | None = None
    phone_numbers: list[str] | None = None
    email_addresses: list[str] | None = None
    urls: list[AtsUrl] | None = None
    tags: list[str] | None = None
    applications: list[uuid.UUID] | None = None
    attachments: list[uuid.UUID] | None = None
    avatar: str | None = None
    job_interview_stage_id: uuid.UUID | None = None
    job_id: uuid.UUID | None = None


class CreateCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    data: PostCandidate
    remote_user_id: str | None = None
    job_requisition_id: str | None = None


class AtsCandidate(_Common):
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    last_interaction_at: str | None = None
    is_private: bool | None = None
    can_email: bool | None = None
    locations: list[str] | None = None
    phone_numbers: list[str] | None = None
    email_addresses: list[str] | None = None
    urls: list[AtsUrl] | None = None
    tags: list[str] | None = None
    applications: list[Any] | None = None
    attachments: list[Any] | None = None
    remote_created_at: str | None = None
    remote_updated_at: str | None = None
    avatar: str | None = None


class AtsApplication(_Common):
    candidate: Any
    job: Any
    applied_at: str | None
    rejected_at: str | None
    source: str | None
    credited_to: Any
    current_stage: Any
    reject_reason: Any


class Passthrough(BaseModel):
    """`POST /api/v1/passthrough` (reference §1.3): a raw request to the ATS behind the connector."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    headers: dict[str, str] | None = None
    params: dict[str, Any] | None = None
    data: Any = None
    request_format: Literal["JSON"] = "JSON"
    response_format: Literal["JSON"] = "JSON"
    timeout: int | None = None


VENDOR_SCHEMAS: dict[str, type[BaseModel]] = {
    "AtsUrl": AtsUrl,
    "CreateAtsJob": CreateAtsJob,
    "AtsJob": AtsJob,
    "AtsDepartment": AtsDepartment,
    "AtsOffice": AtsOffice,
    "AtsRemoteUser": AtsRemoteUser,
    "PostCandidate": PostCandidate,
    "CreateCandidate": CreateCandidate,
    "AtsCandidate": AtsCandidate,
    "AtsApplication": AtsApplication,
}
"""Vendor schema name → the sandbox model that stands for it (what the contract tests compare)."""
