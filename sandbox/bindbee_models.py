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


VENDOR_SCHEMAS: dict[str, type[BaseModel]] = {
    "AtsUrl": AtsUrl,
    "CreateAtsJob": CreateAtsJob,
    "AtsJob": AtsJob,
    "AtsDepartment": AtsDepartment,
    "AtsOffice": AtsOffice,
    "AtsRemoteUser": AtsRemoteUser,
}
"""Vendor schema name → the sandbox model that stands for it (what the contract tests compare)."""
