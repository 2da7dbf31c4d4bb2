"""Applications (a candidate on a job) and assessment orders, as StackOne's DTOs define them.

Nested objects that only StackOne itself interprets (questionnaires, documents, rejected reasons, …) are carried as
plain objects: the gateway forwards them unchanged and StackOne validates them.
"""

from __future__ import annotations

from typing import Literal

from connectors.unified.candidates import (
    CandidateEmail,
    CandidateEmailRead,
    PhoneNumber,
    PhoneNumberRead,
    SocialLink,
    SocialLinkRead,
)
from connectors.unified.common import CustomField, CustomFieldRead, ExtensionFields, JSONValue, ReadModel, WriteModel
from connectors.unified.jobs import HiringTeamMember

ApplicationStatusValue = Literal[
    "active",
    "assessment",
    "background_check",
    "converted",
    "declined_by_candidate",
    "hired",
    "interview",
    "lead",
    "offer",
    "reference_check",
    "rejected",
    "review",
    "screen",
    "new",
    "onboarding",
    "created",
    "accepted",
    "short_list",
    "approved",
    "unmapped_value",
]


class ApplicationStatus(WriteModel):
    value: ApplicationStatusValue | None = None
    source_value: JSONValue = None


class Source(WriteModel):
    id: str | None = None
    name: str | None = None


class InlineCandidate(WriteModel):
    """StackOne `CreateCandidate`: a new candidate created with the application."""

    passthrough: dict[str, JSONValue] | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
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
    custom_fields: list[CustomField] | None = None


class ApplicationCreate(ExtensionFields):
    """Body of `POST /unified/ats/applications`: `candidate_id` or an inline `candidate`, not both."""

    job_id: str | None = None
    job_posting_id: str | None = None
    location_id: str | None = None
    application_status: ApplicationStatus | None = None
    questionnaires: list[dict[str, JSONValue]] | None = None
    source: Source | None = None
    candidate_id: str | None = None
    candidate: InlineCandidate | None = None
    documents: list[dict[str, JSONValue]] | None = None


class ApplicationStatusRead(ReadModel):
    value: str | None = None
    source_value: JSONValue = None


class ApplicationCandidateRead(ReadModel):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    emails: list[CandidateEmailRead] | None = None
    phone_numbers: list[PhoneNumberRead] | None = None
    social_links: list[SocialLinkRead] | None = None
    company: str | None = None
    title: str | None = None


class Application(ReadModel):
    """StackOne `Application` (its deprecated fields included, as StackOne still returns them)."""

    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    candidate_id: str | None = None
    remote_candidate_id: str | None = None
    job_id: str | None = None
    remote_job_id: str | None = None
    interview_stage: dict[str, JSONValue] | None = None
    application_stage: dict[str, JSONValue] | None = None
    interview_stage_id: str | None = None
    remote_interview_stage_id: str | None = None
    application_stage_id: str | None = None
    remote_application_stage_id: str | None = None
    rejected_reasons: list[dict[str, JSONValue]] | None = None
    rejected_reason_ids: list[str] | None = None
    remote_rejected_reason_ids: list[str] | None = None
    rejected_at: str | None = None
    location_id: str | None = None
    remote_location_id: str | None = None
    location_ids: list[str] | None = None
    remote_location_ids: list[str] | None = None
    application_status: ApplicationStatusRead | None = None
    questionnaires: list[dict[str, JSONValue]] | None = None
    candidate: ApplicationCandidateRead | None = None
    attachments: list[dict[str, JSONValue]] | None = None
    documents: list[dict[str, JSONValue]] | None = None
    result_links: list[dict[str, JSONValue]] | None = None
    source: dict[str, JSONValue] | None = None
    created_at: str | None = None
    updated_at: str | None = None
    custom_fields: list[CustomFieldRead] | None = None


class OrderPackage(WriteModel):
    id: str | None = None
    remote_id: str | None = None
    name: str | None = None
    description: str | None = None


class OrderApplication(WriteModel):
    id: str | None = None
    remote_id: str | None = None
    application_status: ApplicationStatus | None = None
    passthrough: dict[str, JSONValue] | None = None


class OrderJob(WriteModel):
    id: str | None = None
    remote_id: str | None = None
    title: str | None = None
    hiring_team: list[HiringTeamMember] | None = None
    passthrough: dict[str, JSONValue] | None = None


class OrderCandidate(WriteModel):
    id: str | None = None
    remote_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[CandidateEmail] | None = None
    passthrough: dict[str, JSONValue] | None = None
    profile_url: str | None = None


class AssessmentOrder(ExtensionFields):
    """Body of `POST /unified/ats/assessments/orders` (StackOne `AtsCreateCandidatesAssessmentsRequestDto`)."""

    id: str | None = None
    package: OrderPackage | None = None
    application: OrderApplication | None = None
    job: OrderJob | None = None
    candidate: OrderCandidate | None = None
    requester: HiringTeamMember | None = None  # StackOne's order model has the job's hiring-team fields
    results_update_url: str | None = None


class AssessmentOrderResult(ReadModel):
    """StackOne `CreateAssessmentOrderResult`, returned unwrapped."""

    id: str | None = None
    remote_id: str | None = None
    test_url: str | None = None
