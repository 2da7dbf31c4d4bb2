"""Unified application ↔ Merge `ApplicationRequest` / `Application`, and a move ↔ Merge's change-stage
(reference bindbee-merge-greenhouse.md §2.3-2.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import FieldError
from connectors.mapping import Direction, Rename, Table
from connectors.merge.candidates import CANDIDATE_TABLE
from connectors.merge.records import REJECTED_REASON_TABLE, STAGE_TABLE
from connectors.merge.rows import Expanded, Ref, Refs


@dataclass(frozen=True)
class SourceRow:
    """StackOne's `{id, name}` source ↔ Merge's source name."""

    unified: str = "source"
    aliases: tuple[str, ...] = ()
    vendor: str = "source"
    direction: Direction = "both"
    transform: str = "`source.name` ↔ the name"
    notes: str = "Merge names sources; a `source.id` is refused."

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        source = body.get("source")
        if source is None:
            return {}
        if source.get("id") is not None:
            errors.append(
                FieldError(
                    "source.id",
                    "vendor.unsupported_field",
                    "Merge names a source and keeps no source id: send source.name alone",
                    "unsupported_field",
                )
            )
        return {} if source.get("name") is None else {"source": source["name"]}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        name = record.get("source")
        return {"source": None if name is None else {"id": None, "remote_id": None, "name": name}}


APPLICATION_TABLE = Table(
    rows=(
        Rename("id", "id", direction="read", notes="Merge's uuid is the unified id."),
        Rename("remote_id", "remote_id", direction="read", notes="The ATS's own id."),
        Ref("candidate_id", "candidate", "remote_candidate_id", direction="both"),
        Expanded("candidate", "candidate", CANDIDATE_TABLE.to_unified, "candidate"),
        Ref("job_id", "job", "remote_job_id", direction="both"),
        Ref("application_stage_id", "current_stage", "remote_application_stage_id"),
        Expanded("application_stage", "current_stage", STAGE_TABLE.to_unified, "job interview stage"),
        Ref("interview_stage_id", "current_stage", "remote_interview_stage_id", notes="Deprecated spelling."),
        Expanded("interview_stage", "current_stage", STAGE_TABLE.to_unified, "job interview stage"),
        Refs("rejected_reason_ids", "reject_reason", "remote_rejected_reason_ids", single=True),
        Expanded("rejected_reasons", "reject_reason", REJECTED_REASON_TABLE.to_unified, "reject reason", many=True),
        Rename("rejected_at", "rejected_at", direction="read"),
        SourceRow(),
        Rename("created_at", "applied_at", direction="read"),
        Rename("updated_at", "modified_at", direction="read", notes="When Merge last changed its copy."),
        Rename("acting_user_id", "remote_user_id", direction="write", notes="Required."),
    ),
    unsupported={
        "candidate": (
            "Merge puts an existing candidate on a job: create the candidate first (POST /unified/ats/candidates), "
            "then the application with its candidate_id, so a failure never leaves half of the request applied"
        ),
        "job_posting_id": "Merge's applications reference jobs, not job postings",
        "location_id": "Merge's applications have no location",
        "application_status": "Merge's applications carry no status: the ATS sets it",
        "questionnaires": "Merge takes screening question answers by its own question ids: send them in passthrough",
        "documents": "upload documents to the application once it exists (POST …/documents/upload)",
    },
)
"""Merge's applications carry no status: `application_status` stays null rather than being guessed."""

MOVE_TABLE = Table(
    rows=(
        Ref("interview_stage_id", "job_interview_stage", direction="write", notes="A job interview stage of its job."),
        Rename("acting_user_id", "remote_user_id", direction="write", notes="Required."),
    )
)
"""`POST /applications/{id}/change-stage` takes the flat `{job_interview_stage, remote_user_id}`."""
