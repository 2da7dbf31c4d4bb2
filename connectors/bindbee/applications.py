"""Unified application ↔ Bindbee `AtsApplication` (reference bindbee-merge-greenhouse.md §1.6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.mapping import Rename, Table


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        return None if value.get("id") is None else str(value["id"])
    return None if value is None else str(value)


def _remote(value: Any) -> str | None:
    return str(value["remote_id"]) if isinstance(value, dict) and value.get("remote_id") is not None else None


class _Ref(Rename):
    """A Bindbee reference (an id, or an object when expanded) → the unified id and, when known, the remote id."""

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.vendor)
        out = {self.unified: _ref(value)}
        if self.unified.endswith("_id"):
            out[f"remote_{self.unified}"] = _remote(value)
        return out


class _Source(Rename):
    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        source = record.get("source")
        return {"source": None if source is None else {"id": None, "remote_id": None, "name": source}}


class _RejectReason(Rename):
    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        reason = _ref(record.get("reject_reason"))
        remote = _remote(record.get("reject_reason"))
        return {
            "rejected_reason_ids": None if reason is None else [reason],
            "remote_rejected_reason_ids": None if remote is None else [remote],
        }


APPLICATION_TABLE = Table(
    rows=(
        Rename("id", "id", direction="read"),
        Rename("remote_id", "remote_id", direction="read"),
        _Ref("candidate_id", "candidate", direction="read", transform="id (remote id when expanded)"),
        _Ref("job_id", "job", direction="read", transform="id (remote id when expanded)"),
        _Ref("application_stage_id", "current_stage", direction="read", transform="id (remote id when expanded)"),
        _RejectReason("rejected_reason_ids", "reject_reason", direction="read", transform="one id → a list"),
        Rename("rejected_at", "rejected_at", direction="read"),
        Rename("created_at", "applied_at", direction="read"),
        _Source("source", "source", direction="read", transform="name → `{name}`"),
    ),
)
"""Bindbee applications carry no status: `application_status` stays null rather than being guessed."""
