"""Unified records ↔ Merge's other models, row by row: reference data, stages, interviews, offers, scorecards,
job postings, jobs (read only in Merge), attachments (documents) and activities (notes).

Dates: where Merge keeps the ATS's own (`remote_created_at`, `remote_updated_at`) they are the unified ones;
otherwise Merge's (`created_at`, `modified_at`: when Merge stored or last changed its copy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.bindbee.jobs import HiringTeamRow
from connectors.errors import FieldError
from connectors.mapping import Direction, NoteContent, Rename, Table
from connectors.merge.rows import Choice, Expanded, Ref, Refs
from connectors.reference import reference_tables

IDS = (
    Rename("id", "id", direction="read", notes="Merge's uuid is the unified id."),
    Rename("remote_id", "remote_id", direction="read", notes="The ATS's own id."),
)
ATS_DATES = (
    Rename("created_at", "remote_created_at", direction="read"),
    Rename("updated_at", "remote_updated_at", direction="read"),
)
MERGE_DATES = (
    Rename("created_at", "created_at", direction="read", notes="When Merge stored it (Merge keeps no ATS date)."),
    Rename("updated_at", "modified_at", direction="read", notes="When Merge last changed its copy."),
)

DEPARTMENT_TABLE, LOCATION_TABLE, USER_TABLE, REJECTED_REASON_TABLE = reference_tables(IDS)
STAGE_TABLE = Table(
    rows=(
        *IDS,
        Rename("name", "name", direction="read"),
        Rename("order", "stage_order", direction="read"),
        *MERGE_DATES,
    )
)
"""Merge's job interview stages: the unified application stages, job application stages and interview stages."""

INTERVIEW_STATUS = {"SCHEDULED": "scheduled", "AWAITING_FEEDBACK": "pending_feedback", "COMPLETE": "completed"}
INTERVIEW_TABLE = Table(
    rows=(
        *IDS,
        Ref("application_id", "application", "remote_application_id"),
        Ref("interview_stage_id", "job_interview_stage", "remote_interview_stage_id"),
        Expanded("interview_stage", "job_interview_stage", STAGE_TABLE.to_unified, "job interview stage"),
        Choice("interview_status", "status", INTERVIEW_STATUS),
        Refs("interviewer_ids", "interviewers", "remote_interviewer_ids"),
        Expanded("interviewers", "interviewers", USER_TABLE.to_unified, "users", many=True),
        Rename("start_at", "start_at", direction="read"),
        Rename("end_at", "end_at", direction="read"),
        *ATS_DATES,
    )
)
"""Merge's scheduled interviews, for both unified interview models; Merge's free-text `location` (a room, a phone
number or a link) is not a meeting URL, so `meeting_url` stays null."""

OFFER_STATUS = {
    "DRAFT": "created",
    "APPROVAL-SENT": "pending",
    "APPROVED": "approved",
    "SENT": "pending",
    "SENT-MANUALLY": "pending",
    "OPENED": "pending",
    "DENIED": "rejected",
    "SIGNED": "accepted",
    "DEPRECATED": "retracted",
}
OFFER_TABLE = Table(
    rows=(
        *IDS,
        Ref("application_id", "application", "remote_application_id"),
        Rename("start_date", "start_date", direction="read"),
        Choice("offer_status", "status", OFFER_STATUS),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "modified_at", direction="read", notes="When Merge last changed its copy."),
    )
)
"""Merge's offers carry no salary or currency."""

RECOMMENDATIONS = {
    "DEFINITELY_NO": "strong_no",
    "NO": "no",
    "YES": "yes",
    "STRONG_YES": "strong_yes",
    "NO_DECISION": "no_decision",
}
SCORECARD_TABLE = Table(
    rows=(
        *IDS,
        Ref("application_id", "application", "remote_application_id"),
        Ref("interview_id", "interview", "remote_interview_id"),
        Ref("author_id", "interviewer", "remote_author_id"),
        Choice("overall_recommendation", "overall_recommendation", RECOMMENDATIONS, wrapped=False),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "modified_at", direction="read", notes="When Merge last changed its copy."),
    )
)

POSTING_STATUS = {
    "PUBLISHED": "live",
    "CLOSED": "closed",
    "DRAFT": "draft",
    "INTERNAL": "internal",
    "PENDING": "pending",
}
BOOLEAN_TEXT = {True: "true", False: "false"}


@dataclass(frozen=True)
class PostingContentRow:
    unified: str = "content"
    aliases: tuple[str, ...] = ()
    vendor: str = "content"
    direction: Direction = "read"
    transform: str = "HTML → `{html}`"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        content = record.get("content")
        return {"content": None if content is None else {"html": content}}


@dataclass(frozen=True)
class PostingUrlRow:
    unified: str = "external_url"
    aliases: tuple[str, ...] = ()
    vendor: str = "job_posting_urls"
    direction: Direction = "read"
    transform: str = "the first URL"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        urls = record.get("job_posting_urls") or []
        return {"external_url": urls[0].get("value") if urls and isinstance(urls[0], dict) else None}


JOB_POSTING_TABLE = Table(
    rows=(
        *IDS,
        Rename("title", "title", direction="read"),
        Choice("status", "status", POSTING_STATUS),
        Choice("internal", "is_internal", BOOLEAN_TEXT, wrapped=False),
        Ref("job_id", "job", "remote_job_id"),
        PostingContentRow(),
        PostingUrlRow(),
        *ATS_DATES,
    )
)

JOB_STATUS = {"OPEN": "open", "CLOSED": "closed", "DRAFT": "draft", "ARCHIVED": "archived", "PENDING": "pending"}
JOB_STATUS_FILTER = {value: key for key, value in JOB_STATUS.items()}
"""`filter[job_status]` (`open`, `draft`) → Merge's `status`."""
JOB_TABLE = Table(
    rows=(
        *IDS,
        Rename("title", "name", direction="read"),
        Rename("description", "description", direction="read"),
        Rename("code", "code", direction="read"),
        Choice("job_status", "status", JOB_STATUS),
        Choice("confidential", "confidential", BOOLEAN_TEXT, wrapped=False),
        Refs("department_ids", "departments", "remote_department_ids"),
        Refs("location_ids", "offices", "remote_location_ids"),
        HiringTeamRow(
            direction="read",
            transform="`hiring_managers` with role `hiring_manager`, `recruiters` with role `recruiter`",
            notes="Names and e-mail from the expanded users.",
        ),
        *ATS_DATES,
    )
)
"""Read only: Merge ATS cannot create or update jobs. Merge's jobs list no interview stages (those are
`/unified/ats/jobs/{id}/application_stages`)."""

DOCUMENT_TYPES = {"RESUME": "resume", "COVER_LETTER": "cover_letter", "OFFER_LETTER": "offer_letter", "OTHER": "other"}
DOCUMENT_UPLOAD_TYPES = {
    "resume": "RESUME",
    "cover_letter": "COVER_LETTER",
    "offer_letter": "OFFER_LETTER",
    "signed_offer_letter": "OFFER_LETTER",
    "other": "OTHER",
}
DOCUMENT_TABLE = Table(
    rows=(
        *IDS,
        Rename("name", "file_name"),
        Rename("remote_url", "file_url", direction="read", notes="The ATS's file URL (often signed, so short-lived)."),
        Rename(
            "file_url",
            "file_url",
            direction="write",
            notes="Gateway extension: Merge takes an attachment by URL, which the ATS fetches.",
        ),
        Choice(
            "category",
            "attachment_type",
            DOCUMENT_TYPES,
            DOCUMENT_UPLOAD_TYPES,
            direction="both",
            notes="`category.value`; the deprecated `type` reads the same.",
        ),
        Choice("type", "attachment_type", DOCUMENT_TYPES),
        *MERGE_DATES,
        Rename("acting_user_id", "remote_user_id", direction="write", notes="Required."),
    ),
    unsupported={
        "content": "Merge takes an attachment by URL, not its content: give file_url",
        "file_format": "Merge reads the format from the file itself",
        "category_id": "Merge's attachments have a type (category.value), not a category id",
        "path": "Merge files attachments on the candidate; there is no path",
        "confidential": "Merge's attachments have no confidentiality",
    },
)
"""Merge's attachments are the candidate's: an application's documents are its candidate's attachments."""

VISIBILITY = {"PUBLIC": "public", "PRIVATE": "private", "ADMIN_ONLY": "private"}


NOTE_TABLE = Table(
    rows=(
        *IDS,
        NoteContent("Merge's `subject` has no unified field; raw=true shows it."),
        Ref("author_id", "user", "remote_author_id", direction="both"),
        Choice(
            "visibility",
            "visibility",
            VISIBILITY,
            {"public": "PUBLIC", "private": "PRIVATE"},
            direction="both",
            notes="`ADMIN_ONLY` reads as `private`, with `source_value` saying so.",
        ),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "modified_at", direction="read", notes="When Merge last changed its copy."),
        Rename("acting_user_id", "remote_user_id", direction="write", notes="Required."),
    )
)
"""Merge's activities; a unified note is written as a `NOTE` activity on the candidate."""
