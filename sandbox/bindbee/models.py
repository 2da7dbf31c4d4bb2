"""The sandbox's own model of Bindbee's ATS schemas (held to ../shared/vendor/bindbee by the contract tests).

Read models take Bindbee's enums as open (PROVENANCE.md, ambiguity 1): the documented values are listed in the
JSON schema, as Bindbee lists them, and any other value passes through as the upstream sent it. Write models
accept only the documented values (or null): what the sandbox is asked to write it must understand.
Relations on read models are `Any` (ambiguity 3): an id, or the related object when `expand` asks for it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

JobStatus = Literal["OPEN", "CLOSED", "DRAFT", "ARCHIVED", "PENDING", "-"]
UrlType = Literal["PERSONAL", "COMPANY", "PORTFOLIO", "BLOG", "SOCIAL_MEDIA", "OTHER", "JOB_POSTING", "-"]
ActivityTypeIn = Literal["NOTE", "EMAIL", "OTHER"]
VisibilityIn = Literal["ADMIN_ONLY", "PUBLIC", "PRIVATE"]
AttachmentTypeIn = Literal["RESUME", "COVER_LETTER", "OFFER_LETTER", "OTHER", "-"]


def _open(*known: str) -> Any:
    return Field(json_schema_extra={"enum": list(known)})


JobStatusRead = Annotated[str | None, _open("OPEN", "CLOSED", "DRAFT", "ARCHIVED", "PENDING", "-")]
AccessRole = Annotated[
    str | None, _open("ADMIN", "SUPER_ADMIN", "TEAM_MEMBER", "LIMITED_TEAM_MEMBER", "INTERVIEWER", "RECRUITER", "-")
]
ActivityType = Annotated[str | None, _open("NOTE", "EMAIL", "OTHER")]
Visibility = Annotated[str | None, _open("ADMIN_ONLY", "PUBLIC", "PRIVATE")]
AttachmentType = Annotated[str | None, _open("RESUME", "COVER_LETTER", "OFFER_LETTER", "OTHER", "-")]
Race = Annotated[
    str | None,
    _open(
        "AMERICAN_INDIAN_OR_ALASKA_NATIVE",
        "ASIAN_OR_INDIAN_SUBCONTINENT",
        "BLACK_OR_AFRICAN_AMERICAN",
        "HISPANIC_OR_LATINO",
        "NATIVE_HAWAIIAN_OR_OTHER_PACIFIC_ISLANDER",
        "TWO_OR_MORE_RACES",
        "WHITE",
        "PREFER_NOT_TO_DISCLOSE",
        "-",
    ),
]
Gender = Annotated[str | None, _open("MALE", "FEMALE", "NON-BINARY", "OTHER", "PREFER_NOT_TO_DISCLOSE", "-")]
VeteranStatus = Annotated[
    str | None,
    _open(
        "I_DONT_WISH_TO_ANSWER",
        "DISABLED_VETERAN",
        "SPECIAL_DISABLED_VETERAN",
        "VIETNAM_ERA_VETERAN",
        "OTHER_PROTECTED_VETERAN",
        "THREE_YEAR_RECENTLY_SEPARATED_VETERAN",
        "ONE_YEAR_RECENTLY_SEPARATED_VETERAN",
        "DISABLED_INDIVIDUAL",
        "I_IDENTIFY_AS_ONE_OR_MORE_OF_THE_CLASSIFICATIONS_OF_A_PROTECTED_VETERAN",
        "I_AM_NOT_A_PROTECTED_VETERAN",
        "-",
    ),
]
DisabilityStatus = Annotated[
    str | None,
    _open(
        "YES_I_HAVE_A_DISABILITY_OR_PREVIOUSLY_HAD_A_DISABILITY",
        "NO_I_DONT_HAVE_A_DISABILITY",
        "I_DONT_WISH_TO_ANSWER",
        "-",
    ),
]
OfferStatus = Annotated[
    str | None,
    _open("DRAFT", "APPROVAL-SENT", "APPROVED", "SENT", "SENT-MANUALLY", "OPENED", "DENIED", "SIGNED", "DEPRECATED"),
]
InterviewStatus = Annotated[str | None, _open("SCHEDULED", "AWAITING_FEEDBACK", "COMPLETE")]
Recommendation = Annotated[str | None, _open("DEFINITELY_NO", "NO", "NO_DECISION", "YES", "STRONG_YES")]
QuestionType = Annotated[
    str | None,
    _open("DATE", "FILE", "SINGLE_SELECT", "MULTI_SELECT", "SINGLE_LINE_TEXT", "MULTI_LINE_TEXT", "NUMERIC", "BOOLEAN"),
]
Url = Annotated[str, Field(min_length=1, max_length=2083, json_schema_extra={"format": "uri"})]


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
    status: JobStatusRead
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
    access_role: AccessRole


class AtsAttachmentWrite(BaseModel):
    """An attachment to upload: the file's bytes in base64 (`file_content`), or a URL Bindbee fetches."""

    model_config = ConfigDict(extra="ignore")

    file_name: str | None = None
    file_url: Url | None = None
    attachment_type: AttachmentTypeIn | None = None
    file_content: str | None = None
    content_type: str | None = None
    candidate: uuid.UUID | None = None
    remote_user_id: uuid.UUID | None = None

    @field_validator("file_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("URL scheme should be 'http' or 'https' with a host")
        return value


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


class AtsCandidateWrite(BaseModel):
    """The flat alternative body of `POST /candidates`; its attachments are uploaded with the candidate."""

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
    attachments: list[AtsAttachmentWrite] | None = None
    avatar: str | None = None
    additional_attributes: dict[str, Any] | None = None
    custom_fields: dict[str, Any] | None = None
    last_interaction_at: str | None = None
    remote_created_at: str | None = None
    remote_updated_at: str | None = None
    job: uuid.UUID | None = None


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


class AtsActivity(_Common):
    user: Any
    activity_type: ActivityType
    subject: str | None
    body: str | None
    visibility: Visibility
    candidate: Any
    remote_created_at: str | None


class CreateAtsActivity(BaseModel):
    """`POST /activities`. Five keys are required yet nullable (PROVENANCE.md, ambiguity 7): they must be present."""

    model_config = ConfigDict(extra="ignore")

    user: uuid.UUID | None
    activity_type: ActivityTypeIn | None
    subject: str | None = None
    body: str | None
    visibility: VisibilityIn | None
    candidate: uuid.UUID | None


class AtsAttachment(_Common):
    # The excerpt declares nothing beyond the common fields as required here.
    file_name: str | None = None
    file_url: str | None = None
    attachment_type: AttachmentType = None
    candidate: Any = None


class AtsEEOC(_Common):
    candidate: Any
    submitted_at: str | None
    race: Race
    gender: Gender
    veteran_status: VeteranStatus
    disability_status: DisabilityStatus


class AtsJobInterviewStage(_Common):
    name: str | None
    job: Any
    stage_order: int | None


class AtsOffer(_Common):
    application: Any
    creator: Any
    remote_created_at: str | None
    closed_at: str | None
    sent_at: str | None
    start_date: str | None
    status: OfferStatus


class AtsRejectReason(_Common):
    name: str | None


class AtsScheduledInterview(_Common):
    application: Any
    job_interview_stage: Any
    organizer: Any
    interviewers: list[Any] | None
    location: str | None
    start_at: str | None
    end_at: str | None
    remote_created_at: str | None
    remote_updated_at: str | None
    status: InterviewStatus


class AtsScorecard(_Common):
    application: Any
    interview: Any
    interviewer: Any
    remote_created_at: str | None
    submitted_at: str | None
    overall_recommendation: Recommendation


class AtsScreeningQuestion(_Common):
    job: Any
    description: str | None
    title: str | None
    type: QuestionType
    required: bool | None
    # Objects, as the schema says; Bindbee's own example shows strings (PROVENANCE.md, ambiguity 2).
    options: list[dict[str, Any]] | None


class AtsTag(_Common):
    name: str | None


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
    "AtsCandidateWrite": AtsCandidateWrite,
    "AtsAttachmentWrite": AtsAttachmentWrite,
    "AtsCandidate": AtsCandidate,
    "AtsApplication": AtsApplication,
    "AtsActivity": AtsActivity,
    "CreateAtsActivity": CreateAtsActivity,
    "AtsAttachment": AtsAttachment,
    "AtsEEOC": AtsEEOC,
    "AtsJobInterviewStage": AtsJobInterviewStage,
    "AtsOffer": AtsOffer,
    "AtsRejectReason": AtsRejectReason,
    "AtsScheduledInterview": AtsScheduledInterview,
    "AtsScorecard": AtsScorecard,
    "AtsScreeningQuestion": AtsScreeningQuestion,
    "AtsTag": AtsTag,
}
"""Vendor schema name → the sandbox model that stands for it (what the contract tests compare)."""
