"""Bindbee records of one connector, and the writes that keep related records consistent.

Every write (Bindbee's creates, the Harvest emulation, the seed) goes through these helpers, so a record made by
any of them looks the same: a Bindbee uuid, Greenhouse's numeric id as `remote_id` (and as `raw_data.id`), and
the back-references Bindbee shows (a candidate lists its applications and attachments).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sandbox.bindbee.files import FileStore, StoredFile
from sandbox.common import Tenant, now_iso

STAGES = ("Application Review", "Phone Screen", "Onsite", "Offer")
"""The stages every job gets, in Greenhouse's order (its default interview plan)."""


def new_record(
    tenant: Tenant,
    kind: str,
    fields: Mapping[str, Any],
    *,
    raw: Mapping[str, Any] | None = None,
    record_id: str | None = None,
    remote_id: str | None = None,
    stamp: str | None = None,
) -> dict[str, Any]:
    remote = remote_id or tenant.remote_id()
    record = {
        "id": record_id or str(uuid.uuid4()),
        "remote_id": remote,
        "modified_at": stamp or now_iso(),
        "custom_fields": {},
        **fields,
        "raw_data": {"id": int(remote), **(raw or {})},
    }
    return tenant[kind].add(record)


def touch(record: dict[str, Any], **changes: Any) -> None:
    """Change a record as Bindbee's next sync would, which moves its `modified_at`."""
    record.update(changes)
    record["modified_at"] = now_iso()


def by_remote_id(tenant: Tenant, kind: str, remote_id: str | int | None) -> dict[str, Any] | None:
    if remote_id is None:
        return None
    wanted = str(remote_id)
    return next((r for r in tenant[kind].records.values() if r.get("remote_id") == wanted), None)


def stages_of(tenant: Tenant, job_id: str) -> list[dict[str, Any]]:
    """A job's stages in order (Greenhouse's `priority`, Bindbee's `stage_order`)."""
    return sorted(tenant["job-interview-stages"].find(lambda s: s["job"] == job_id), key=lambda s: s["stage_order"])


def add_stages(tenant: Tenant, job_id: str, ids: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Give a job Greenhouse's default stages; `ids` (uuid, remote id) per stage when they must be stable."""
    stamp = now_iso()
    stages = []
    for order, name in enumerate(STAGES):
        record_id, remote = ids[order] if ids else (None, tenant.remote_id())
        raw = {
            "name": name,
            "job_id": remote_of(tenant, "jobs", job_id),
            "priority": order,
            "interviews": [_interview(int(remote), *_INTERVIEWS[name])] if name in _INTERVIEWS else [],
            "active": True,
            "created_at": stamp,
            "updated_at": stamp,
        }
        fields = {"name": name, "job": job_id, "stage_order": order}
        stages.append(
            new_record(tenant, "job-interview-stages", fields, raw=raw, record_id=record_id, remote_id=remote)
        )
    return stages


_INTERVIEWS = {"Phone Screen": ("Phone Screen", 30), "Onsite": ("Onsite Interview", 60)}
"""The interview a stage holds (name, minutes), which Harvest lists in the stage's `interviews` (§3.1)."""


def _interview(stage: int, name: str, minutes: int) -> dict[str, Any]:
    """Numbered from the stage's Greenhouse id, so it is as stable as the stage."""
    return {
        "id": stage * 10 + 1,
        "name": name,
        "schedulable": True,
        "estimated_minutes": minutes,
        "default_interviewer_users": [],
        "interview_kit": {"id": stage * 10 + 2, "content": f"<p>How to run the {name}</p>", "questions": []},
    }


def apply_to_job(
    tenant: Tenant,
    candidate_id: str,
    job_id: str,
    *,
    stage_id: str | None = None,
    source: str | None = None,
    credited_to: str | None = None,
    raw: Mapping[str, Any] | None = None,
    record_id: str | None = None,
    remote_id: str | None = None,
    stamp: str | None = None,
) -> dict[str, Any]:
    """A candidate application on a job, active, in `stage_id` or else the job's first stage."""
    stamp = stamp or now_iso()
    first = next(iter(stages_of(tenant, job_id)), None)
    fields = {
        "candidate": candidate_id,
        "job": job_id,
        "applied_at": stamp,
        "rejected_at": None,
        "source": source,
        "credited_to": credited_to,
        "current_stage": stage_id or (first["id"] if first else None),
        "reject_reason": None,
    }
    harvest = {"status": "active", "last_activity_at": stamp, **(raw or {})}
    record = new_record(
        tenant, "applications", fields, raw=harvest, record_id=record_id, remote_id=remote_id, stamp=stamp
    )
    touch(tenant["candidates"].records[candidate_id])
    tenant["candidates"].records[candidate_id]["applications"].append(record["id"])
    return record


def log_activity(
    tenant: Tenant,
    candidate_id: str,
    user_id: str | None,
    activity_type: str | None,
    body: str | None,
    *,
    subject: str | None = None,
    visibility: str | None = None,
    raw: Mapping[str, Any] | None = None,
    record_id: str | None = None,
    remote_id: str | None = None,
    stamp: str | None = None,
) -> dict[str, Any]:
    stamp = stamp or now_iso()
    fields = {
        "user": user_id,
        "activity_type": activity_type,
        "subject": subject,
        "body": body,
        "visibility": visibility,
        "candidate": candidate_id,
        "remote_created_at": stamp,
    }
    return new_record(tenant, "activities", fields, raw=raw, record_id=record_id, remote_id=remote_id, stamp=stamp)


def add_attachment(
    tenant: Tenant,
    files: FileStore,
    candidate_id: str,
    file_name: str | None,
    attachment_type: str | None,
    *,
    content: bytes | None = None,
    content_type: str | None = None,
    url: str | None = None,
    raw: Mapping[str, Any] | None = None,
    record_id: str | None = None,
    remote_id: str | None = None,
) -> dict[str, Any]:
    """An attachment on the candidate; given bytes, the sandbox keeps them and `file_url` serves them."""
    record_id = record_id or str(uuid.uuid4())
    if content is not None:
        stored = StoredFile(file_name or "attachment", content, content_type or "application/octet-stream")
        url = files.put(record_id, stored)
    fields = {"file_name": file_name, "file_url": url, "attachment_type": attachment_type, "candidate": candidate_id}
    harvest = {"content_type": content_type, "created_at": now_iso(), **(raw or {})}
    record = new_record(tenant, "attachments", fields, raw=harvest, record_id=record_id, remote_id=remote_id)
    touch(tenant["candidates"].records[candidate_id])
    tenant["candidates"].records[candidate_id]["attachments"].append(record["id"])
    return record


def remote_of(tenant: Tenant, kind: str, record_id: str | None) -> int | None:
    """Greenhouse's numeric id of a Bindbee record (None for no record)."""
    record = tenant[kind].get(record_id) if record_id else None
    return int(record["remote_id"]) if record else None
