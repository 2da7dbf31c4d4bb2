"""What happens around a Bindbee application, row by row: notes (activities), documents (attachments), stages,
offers, interviews and scorecards (the excerpt's `Ats*` models; reference bindbee-merge-greenhouse.md §1.6).

Bindbee keeps notes and attachments on the candidate, not the application: an application's notes and documents
are its candidate's, which docs/mappings.md and `/meta` state (the unified concept is finer than Bindbee's).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.bindbee.refs import IdListRow, Reference
from connectors.errors import FieldError
from connectors.mapping import Direction, Enum, EnumValue, NoteContent, Rename, Table

_IDS = (Rename("id", "id", direction="read"), Rename("remote_id", "remote_id", direction="read"))

NOTE_VISIBILITY = {"public": "PUBLIC", "private": "PRIVATE"}


_AUTHOR = Reference("author_id", "user")


@dataclass(frozen=True)
class AuthorRow:
    """Bindbee's note needs the user who writes it: the note's author, else the acting user."""

    unified: str = "author_id"
    aliases: tuple[str, ...] = ("acting_user_id",)
    vendor: str = "user"
    direction: Direction = "both"
    transform: str = "write: `author_id`, else `acting_user_id`; read: the id (remote id when expanded)"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        author = body.get("author_id") or body.get("acting_user_id")
        return {"user": author} if author else {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return _AUTHOR.to_unified(record)


NOTE_TABLE = Table(
    rows=(
        *_IDS,
        NoteContent("Bindbee's `subject` has no StackOne field and is not read."),
        AuthorRow(),
        EnumValue(
            "visibility",
            "visibility",
            NOTE_VISIBILITY,
            {"PUBLIC": "public", "PRIVATE": "private", "ADMIN_ONLY": "private"},
            "bindbee.note_visibility",
        ),
        Rename("created_at", "remote_created_at", direction="read"),
    ),
)
"""Only activities whose `activity_type` is NOTE are notes; emails and stage changes are not listed as notes."""

DOCUMENT_CATEGORIES = {
    "resume": "RESUME",
    "cover_letter": "COVER_LETTER",
    "offer_letter": "OFFER_LETTER",
    "other": "OTHER",
}
_CATEGORY = EnumValue("category", "attachment_type", DOCUMENT_CATEGORIES, {}, "bindbee.attachment_type")


@dataclass(frozen=True)
class ContentTypeRow:
    """StackOne's `file_format` (an extension) ↔ Bindbee's `content_type` (a MIME type)."""

    unified: str = "file_format"
    aliases: tuple[str, ...] = ()
    vendor: str = "content_type"
    direction: Direction = "write"
    transform: str = "the extension's MIME type (`pdf` → `application/pdf`)"
    notes: str = "An extension with no known MIME type is refused."

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        extension = (body.get("file_format") or {}).get("value")
        if extension is None:
            return {}
        kind = mimetypes.types_map.get(f".{extension}")
        if kind is None:
            errors.append(
                FieldError(
                    "file_format.value",
                    "bindbee.content_type",
                    f"no MIME type is known for '{extension}'",
                    code="unsupported_value",
                )
            )
            return {}
        return {"content_type": kind}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class CategoryRow:
    """StackOne's upload `category` ↔ Bindbee's `attachment_type`; a read fills the deprecated `type` too."""

    unified: str = "category"
    aliases: tuple[str, ...] = ("type",)
    vendor: str = "attachment_type"
    direction: Direction = "both"
    notes: str = "Other StackOne categories have no Bindbee type and are refused; send `other`."

    @property
    def transform(self) -> str:
        return "write: " + ", ".join(f"`{k}`→`{v}`" for k, v in DOCUMENT_CATEGORIES.items()) + "; read: the reverse"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return _CATEGORY.to_vendor(body, errors)

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        raw = record.get("attachment_type")
        value = {v: k for k, v in DOCUMENT_CATEGORIES.items()}.get(raw or "", "unmapped_value")
        read = None if raw is None else {"value": value, "source_value": raw}
        return {"category": read, "type": read}


DOCUMENT_TABLE = Table(
    rows=(
        *_IDS,
        Rename("name", "file_name"),
        CategoryRow(),
        ContentTypeRow(),
        Rename("content", "file_content", direction="write", transform="the base64 as it is"),
        Rename("file_url", "file_url", direction="write", notes="Gateway extension: Bindbee fetches the file."),
        Rename("remote_url", "file_url", direction="read"),
        Rename("acting_user_id", "remote_user_id", direction="write"),
    ),
    unsupported={
        "category_id": "Bindbee types an attachment by `category`, it has no category ids",
        "path": "Bindbee stores attachments on the candidate, not at a path",
        "confidential": "Bindbee attachments have no confidentiality level",
    },
)

STAGE_TABLE = Table(
    rows=(*_IDS, Rename("name", "name", direction="read"), Rename("order", "stage_order", direction="read"))
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DateTimeRow:
    """A Bindbee date read as StackOne's date-time. Bindbee types these fields as plain strings and relays
    Greenhouse's dates (`2026-03-02`); StackOne documents a date-time, and its SDKs refuse a bare date."""

    unified: str
    vendor: str
    aliases: tuple[str, ...] = ()
    direction: Direction = "read"
    transform: str = "a date `YYYY-MM-DD` as midnight UTC of that day; a date-time as it is"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.vendor)
        if isinstance(value, str) and _DATE.fullmatch(value):
            value = f"{value}T00:00:00.000Z"
        return {self.unified: value}


OFFER_STATUS = {
    "DRAFT": "created",
    "APPROVAL-SENT": "pending",
    "APPROVED": "approved",
    "SENT": "pending",
    "SENT-MANUALLY": "pending",
    "OPENED": "pending",
    "DENIED": "not_approved",
    "SIGNED": "accepted",
    "DEPRECATED": "retracted",
}
OFFER_TABLE = Table(
    rows=(
        *_IDS,
        Reference("application_id", "application", direction="read"),
        DateTimeRow("start_date", "start_date"),
        EnumValue("offer_status", "status", {}, OFFER_STATUS, "bindbee.offer_status", direction="read"),
        Rename("created_at", "remote_created_at", direction="read"),
    ),
)

INTERVIEW_STATUS = {"SCHEDULED": "scheduled", "AWAITING_FEEDBACK": "pending_feedback", "COMPLETE": "completed"}
INTERVIEW_TABLE = Table(
    rows=(
        *_IDS,
        Reference("application_id", "application", direction="read"),
        Reference("interview_stage_id", "job_interview_stage", direction="read"),
        EnumValue("interview_status", "status", {}, INTERVIEW_STATUS, "bindbee.interview_status", direction="read"),
        IdListRow("interviewer_ids", "interviewers", "remote_interviewer_ids", direction="read"),
        Rename("start_at", "start_at", direction="read"),
        Rename("end_at", "end_at", direction="read"),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "remote_updated_at", direction="read"),
    ),
)
"""Bindbee's `organizer` and `location` have no StackOne field and are not read."""

RECOMMENDATIONS = {
    "DEFINITELY_NO": "strong_no",
    "NO": "no",
    "NO_DECISION": "no_decision",
    "YES": "yes",
    "STRONG_YES": "strong_yes",
}
SCORECARD_TABLE = Table(
    rows=(
        *_IDS,
        Reference("application_id", "application", direction="read"),
        Reference("interview_id", "interview", direction="read"),
        Reference("author_id", "interviewer", direction="read"),
        Enum("overall_recommendation", "overall_recommendation", {}, RECOMMENDATIONS, "bindbee.recommendation", "read"),
        Rename("created_at", "remote_created_at", direction="read"),
    ),
)
