"""Unified application ↔ Bindbee `AtsApplication` (reference bindbee-merge-greenhouse.md §1.6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.bindbee.custom_fields import CustomFieldsRow
from connectors.bindbee.refs import Reference, ref_id, remote_of
from connectors.errors import FieldError
from connectors.mapping import Rename, Table, merge_passthrough


class _Source(Rename):
    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        source = record.get("source")
        return {"source": None if source is None else {"id": None, "remote_id": None, "name": source}}


class _RejectReason(Rename):
    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        reason = ref_id(record.get("reject_reason"))
        remote = remote_of(record.get("reject_reason"))
        return {
            "rejected_reason_ids": None if reason is None else [reason],
            "remote_rejected_reason_ids": None if remote is None else [remote],
        }


APPLICATION_TABLE = Table(
    rows=(
        Rename("id", "id", direction="read"),
        Rename("remote_id", "remote_id", direction="read"),
        Reference("candidate_id", "candidate", direction="read"),
        Reference("job_id", "job", direction="read"),
        Reference("application_stage_id", "current_stage", direction="read"),
        _RejectReason("rejected_reason_ids", "reject_reason", direction="read", transform="one id → a list"),
        Rename("rejected_at", "rejected_at", direction="read"),
        Rename("created_at", "applied_at", direction="read"),
        _Source("source", "source", direction="read", transform="name → `{name}`"),
        CustomFieldsRow("application"),
    ),
)
"""Bindbee applications carry no status: `application_status` stays null rather than being guessed."""


HARVEST_APPLICATION_UNSUPPORTED = {
    "application_status": "Greenhouse changes an application's status by rejecting, unrejecting or hiring it",
}


def harvest_application_update(body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """Harvest's `PATCH /v1/applications/{id}` body (greenhouse-harvest-applications.md §1.10) for a unified
    application update: Harvest wants Greenhouse's numeric ids, which unified records carry as `remote_id`."""
    out: dict[str, Any] = {}
    source = body.get("source")
    if source is not None:
        source_id = str(source.get("id") or "")
        if source_id.isascii() and source_id.isdigit():
            out["source_id"] = int(source_id)
        else:
            message = "Harvest takes a numeric Greenhouse source id in source.id"
            errors.append(FieldError("source.id", "greenhouse.source_id", message, code="invalid_value"))
    fields = []
    for i, field in enumerate(body.get("custom_fields") or []):
        remote = str(field.get("remote_id") or "")
        if remote.isascii() and remote.isdigit():
            fields.append({"id": int(remote), "value": field.get("value")})
        else:
            message = "Harvest names a custom field by its numeric Greenhouse id: give it as remote_id"
            errors.append(FieldError(f"custom_fields[{i}].remote_id", "greenhouse.custom_field_id", message))
    if fields:
        out["custom_fields"] = fields
    for name, reason in HARVEST_APPLICATION_UNSUPPORTED.items():
        if body.get(name) is not None:
            errors.append(FieldError(name, "greenhouse.unsupported_field", reason, code="unsupported_field"))
    merge_passthrough(out, body.get("passthrough"), errors)
    return out
