"""Unified job ↔ Bindbee `CreateAtsJob` / `AtsJob`, row by row (reference bindbee-merge-greenhouse.md §1.7)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.bindbee.custom_fields import CustomFieldsRow
from connectors.bindbee.refs import IdListRow, ref_id
from connectors.errors import FieldError
from connectors.mapping import Direction, Enum, Rename, Table

STATUS_TO_BINDBEE = {
    "published": "OPEN",
    "open": "OPEN",
    "draft": "DRAFT",
    "closed": "CLOSED",
    "archived": "ARCHIVED",
    "pending": "PENDING",
}
STATUS_FROM_BINDBEE = {
    "OPEN": "open",
    "DRAFT": "draft",
    "CLOSED": "closed",
    "ARCHIVED": "archived",
    "PENDING": "pending",
}

HIRING_MANAGER = "hiring_manager"
RECRUITER = "recruiter"
_ROLE_LISTS = {HIRING_MANAGER: "hiring_managers", RECRUITER: "recruiters"}


def normalise_role(role: str | None) -> str:
    """`Hiring Manager`, `hiring-manager` and `hiring_manager` are one role."""
    return re.sub(r"[\s\-]+", "_", (role or "").strip().lower())


@dataclass(frozen=True)
class JobStatusRow:
    """`job_status.value` ↔ `status`; the deprecated flat `status` is read only when `job_status` is absent."""

    unified: str = "job_status"
    aliases: tuple[str, ...] = ("status",)
    vendor: str = "status"
    direction: Direction = "both"
    notes: str = (
        "Deprecated `status` is used when `job_status` is absent; both given and disagreeing is an error. "
        "On read, `source_value` keeps Bindbee's value and unknown values (`-`, connector-specific) read "
        "as `unmapped_value`."
    )

    @property
    def transform(self) -> str:
        write = ", ".join(f"`{k}`→`{v}`" for k, v in STATUS_TO_BINDBEE.items())
        read = ", ".join(f"`{k}`→`{v}`" for k, v in STATUS_FROM_BINDBEE.items())
        return f"write: {write}; other values are rejected (`unsupported_value`); read: {read}"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        value = (body.get("job_status") or {}).get("value")
        deprecated = body.get("status")
        if (
            value is not None
            and deprecated is not None
            and (STATUS_TO_BINDBEE.get(value) != STATUS_TO_BINDBEE.get(deprecated.lower()))
        ):
            errors.append(
                FieldError(
                    "status",
                    "job.status_conflict",
                    f"deprecated status '{deprecated}' disagrees with job_status.value '{value}'",
                    code="conflicting_values",
                )
            )
            return {}
        field, chosen = ("job_status.value", value) if value is not None else ("status", deprecated)
        if chosen is None:
            return {}
        mapped = STATUS_TO_BINDBEE.get(chosen.lower())
        if mapped is None:
            allowed = ", ".join(f"'{k}'" for k in STATUS_TO_BINDBEE)
            errors.append(
                FieldError(
                    field,
                    "bindbee.job_status",
                    f"'{chosen}' has no Bindbee job status; use one of {allowed}",
                    code="unsupported_value",
                )
            )
            return {}
        return {"status": mapped}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        raw = record.get("status")
        if raw is None:
            return {"job_status": None}
        return {"job_status": {"value": STATUS_FROM_BINDBEE.get(raw, "unmapped_value"), "source_value": raw}}


@dataclass(frozen=True)
class HiringTeamRow:
    """`hiring_team[]` split by role into `hiring_managers` and `recruiters`, and joined back on read."""

    unified: str = "hiring_team"
    aliases: tuple[str, ...] = ()
    vendor: str = "hiring_managers, recruiters"
    direction: Direction = "both"
    transform: str = (
        "role `hiring_manager` → `hiring_managers`, `recruiter` → `recruiters` (case, spaces and hyphens "
        "ignored), by `user_id`; read: one member per id with that role"
    )
    notes: str = (
        "A member with any other role is rejected, never dropped. Names and e-mail describe the user and are "
        "not sent; on read they are filled when Bindbee expands the user."
    )

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        team = body.get("hiring_team")
        if team is None:
            return {}
        out: dict[str, list[str]] = {"hiring_managers": [], "recruiters": []}
        for index, member in enumerate(team):
            target = _ROLE_LISTS.get(normalise_role(member.get("role")))
            if target is None:
                errors.append(
                    FieldError(
                        f"hiring_team[{index}].role",
                        "bindbee.hiring_team_role",
                        f"role '{member.get('role')}' maps to neither hiring_managers nor recruiters; "
                        f"use '{HIRING_MANAGER}' or '{RECRUITER}'",
                        code="unsupported_value",
                    )
                )
            if not member.get("user_id"):
                errors.append(
                    FieldError(
                        f"hiring_team[{index}].user_id",
                        "bindbee.hiring_team_user",
                        "Bindbee references hiring team members by user id (from /unified/ats/users)",
                        code="missing_required_field",
                    )
                )
            if target is not None and member.get("user_id") and member["user_id"] not in out[target]:
                out[target].append(member["user_id"])
        return out

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        managers, recruiters = record.get("hiring_managers"), record.get("recruiters")
        if managers is None and recruiters is None:
            return {"hiring_team": None}
        team = [_member(item, HIRING_MANAGER) for item in managers or []]
        team += [_member(item, RECRUITER) for item in recruiters or []]
        return {"hiring_team": team}


def _member(item: Any, role: str) -> dict[str, Any]:
    expanded = item if isinstance(item, dict) else {}
    return {
        "user_id": ref_id(item),
        "remote_user_id": expanded.get("remote_id"),
        "first_name": expanded.get("first_name"),
        "last_name": expanded.get("last_name"),
        "email": expanded.get("email"),
        "role": role,
    }


JOB_TABLE = Table(
    rows=(
        Rename("id", "id", direction="read", notes="Bindbee's uuid is the unified id."),
        Rename("remote_id", "remote_id", direction="read", notes="The ATS's own id (e.g. Greenhouse's)."),
        Rename("title", "name"),
        Rename("description", "description"),
        Rename("code", "code", notes="Greenhouse: the requisition id."),
        JobStatusRow(),
        Enum(
            "confidential",
            "confidential",
            encode={"true": True, "false": False},
            decode={True: "true", False: "false"},
            rule="bindbee.confidential",
            notes='StackOne carries it as the strings "true"/"false"; Bindbee as a boolean.',
        ),
        IdListRow("department_ids", "departments", "remote_department_ids"),
        IdListRow("location_ids", "offices", "remote_location_ids"),
        HiringTeamRow(),
        CustomFieldsRow("job"),
        Rename("acting_user_id", "remote_user_id", direction="write", notes="A Bindbee remote-user id."),
        Rename("template_id", "template_id", direction="write", notes="Bindbee job id or Greenhouse id."),
        Rename("openings", "openings", direction="write"),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "remote_updated_at", direction="read"),
    ),
    unsupported={
        "interview_stages": "Bindbee's job create has no interview stages",
        "unified_custom_fields": "unified custom fields are a StackOne project feature; Bindbee has none",
    },
)
