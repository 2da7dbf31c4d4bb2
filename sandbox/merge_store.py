"""A linked account's records as Merge holds them: every record validated by the sandbox's model of Merge's schema
when it is stored, stamped by a clock that never repeats (list pages are cut by `created_at`, see merge_paging),
with the ATS's own data kept for `include_remote_data`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sandbox.common import Tenant
from sandbox.merge_integrations import integration
from sandbox.merge_reads import PRIVATE, RESOURCES

REMOTE_PATHS = {
    # Where the ATS keeps each kind (Harvest's names; an ATS the sandbox does not know is read the same way).
    "activities": "/activity_feed",
    "applications": "/applications",
    "attachments": "/attachments",
    "candidates": "/candidates",
    "interviews": "/scheduled_interviews",
    "job-interview-stages": "/job_stages",
    "reject-reasons": "/rejection_reasons",
    "offers": "/offers",
    "scorecards": "/scorecards",
    "job-postings": "/job_posts",
    "users": "/users",
    "departments": "/departments",
    "offices": "/offices",
    "jobs": "/jobs",
}


@dataclass
class Clock:
    """Strictly increasing UTC timestamps, so no two records of an account share a `created_at`."""

    last: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    def now(self) -> datetime:
        self.last = max(datetime.now(UTC), self.last + timedelta(microseconds=1))
        return self.last


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Records:
    tenant: Tenant
    clock: Clock

    def remote_url(self, kind: str) -> str:
        return integration(self.tenant.ats).api + REMOTE_PATHS[kind]

    def add(
        self,
        kind: str,
        fields: dict[str, Any],
        *,
        record_id: str | None = None,
        remote_id: str | None = None,
        raw: dict[str, Any] | None = None,
        origins: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Store a new record of `kind` (the fields Merge's model has; ids and timestamps are added here)."""
        moment = stamp(self.clock.now())
        remote = remote_id or self.tenant.remote_id()
        record = {
            "id": record_id or str(uuid.uuid4()),
            "remote_id": remote,
            "created_at": moment,
            "modified_at": moment,
            "remote_was_deleted": False,
            "field_mappings": None,
            **fields,
            "remote_data": [{"path": urlsplit(self.remote_url(kind)).path, "data": {"id": int(remote), **(raw or {})}}],
        }
        stored = RESOURCES[kind].model.model_validate(record).model_dump(mode="json")
        stored[PRIVATE] = origins or {}
        return self.tenant[kind].add(stored)

    def update(self, kind: str, record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Apply `changes` to a stored record (validated again), as a sync after a write would."""
        merged = {key: value for key, value in {**record, **changes}.items() if key != PRIVATE}
        merged["modified_at"] = stamp(self.clock.now())
        stored = RESOURCES[kind].model.model_validate(merged).model_dump(mode="json")
        stored[PRIVATE] = record.get(PRIVATE, {})
        return self.tenant[kind].add(stored)

    def contact(self, item: dict[str, Any]) -> dict[str, Any]:
        """An e-mail address, phone number or URL as Merge answers it nested in its record."""
        moment = stamp(self.clock.now())
        return {**item, "created_at": moment, "modified_at": moment, "remote_was_deleted": False}
