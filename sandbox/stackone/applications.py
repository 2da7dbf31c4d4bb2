"""Applications: create, update, move to a stage, reject, and the chronological record of those changes.

A move sets `application_stage` / `application_stage_id` (and the deprecated `interview_stage*` fields); a
rejection sets `rejected_reasons`, `rejected_reason_ids`, `rejected_at` and status `rejected`; an update of the
status is one more change. Each is recorded as an `ApplicationChanges` entry (`GET …/applications/{id}/changes`).
What an application shows of others is read when it is read: `candidate` from the candidate, `result_links` from
the assessment and background-check results given for it, `documents` (`expand=documents`) and the deprecated
`attachments` (`include=attachments`) from its documents; `include=custom_fields` adds the custom fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import Response

from connectors.unified import schema as s
from sandbox.common import Tenant, now_iso
from sandbox.stackone import documents, orders
from sandbox.stackone.candidates import new_candidate
from sandbox.stackone.errors import bad_request
from sandbox.stackone.jobs import stages_of
from sandbox.stackone.operation import (
    READ,
    Call,
    created,
    listing,
    moved,
    reading,
    rejected,
    updated,
    writing,
)
from sandbox.stackone.records import Record, build, enum, written

APPS = "/unified/ats/applications"
_CANDIDATE_FIELDS = tuple(s.ApplicationCandidate.model_fields)


def application_view(call: Call, record: Record) -> Record:
    tenant, query = call.tenant, call.query
    candidate = tenant["candidates"].get(record["candidate_id"]) or {}
    out = {
        **record,
        "candidate": {k: candidate.get(k) for k in _CANDIDATE_FIELDS},
        "result_links": orders.result_links(tenant, record["id"]),
    }
    attached = documents.of(tenant, record["id"])
    if "documents" in query.expand:
        out["documents"] = attached
    else:
        del out["documents"]
    if "attachments" in query.include:
        out["attachments"] = [documents.attachment(tenant, d) for d in attached]
    else:
        del out["attachments"]
    if "custom_fields" not in query.include:
        del out["custom_fields"]
    return out


def at_stage(stage: Record) -> dict[str, Any]:
    """The fields that say where an application is, current and deprecated."""
    return {
        "application_stage": build(s.ApplicationStage, **stage),
        "application_stage_id": stage["id"],
        "remote_application_stage_id": stage["remote_id"],
        "interview_stage": build(s.InterviewStage, **stage),
        "interview_stage_id": stage["id"],
        "remote_interview_stage_id": stage["remote_id"],
    }


def record_change(tenant: Tenant, application: Record, change_type: str, **new_values: Any) -> None:
    stamp = now_iso()
    tenant[f"applications/{application['id']}/changes"].add(
        build(
            s.ApplicationChanges,
            id=str(uuid.uuid4()),
            remote_id=tenant.remote_id(),
            created_at=stamp,
            effective_at=stamp,
            actor=None,
            change_type=enum(change_type),
            new_values=build(s.ApplicationChangesDataModel, **new_values),
        )
    )


def create_application(call: Call) -> Response:
    body = call.dto(s.AtsCreateApplicationRequestDto)
    tenant = call.tenant
    if (body.candidate_id is None) == (body.candidate is None):
        raise bad_request("Provide candidate_id OR candidate, but not both")
    if body.job_id is None:
        raise call.refused([("job_id", "job_id must name an existing job")])
    call.check_references(
        [
            ("job_id", "jobs", body.job_id),
            ("candidate_id", "candidates", body.candidate_id),
            ("job_posting_id", "job_postings", body.job_posting_id),
            ("location_id", "locations", body.location_id),
        ]
    )
    files = [documents.decoded(call, upload, f"documents[{i}]") for i, upload in enumerate(body.documents or [])]
    if body.candidate is not None:
        candidate = new_candidate(tenant, body.candidate)
    else:
        candidate = tenant["candidates"].records[str(body.candidate_id)]
    job = tenant["jobs"].records[body.job_id]
    stages = stages_of(tenant, job["id"])
    location = tenant["locations"].get(body.location_id or "")
    located = [location] if location else []
    stamp = now_iso()
    record = build(
        s.Application,
        id=str(uuid.uuid4()),
        remote_id=tenant.remote_id(),
        candidate_id=candidate["id"],
        remote_candidate_id=candidate["remote_id"],
        job_id=job["id"],
        remote_job_id=job["remote_id"],
        **(at_stage(stages[0]) if stages else {}),
        location_id=body.location_id,
        remote_location_id=located[0]["remote_id"] if located else None,
        location_ids=[place["id"] for place in located],
        remote_location_ids=[place["remote_id"] for place in located],
        application_status=written(body.application_status) if body.application_status else enum("active"),
        questionnaires=[
            {"id": q.id, "remote_id": q.id, "answers": [{**written(a), "remote_id": a.id} for a in q.answers or []]}
            for q in body.questionnaires or []
        ],
        source=written(body.source) if body.source else None,
        rejected_reasons=[],
        rejected_reason_ids=[],
        remote_rejected_reason_ids=[],
        custom_fields=[],
        created_at=stamp,
        updated_at=stamp,
    )
    tenant["applications"].add(record)
    for upload, content in files:
        documents.store(tenant, record["id"], upload, content)
    candidate.setdefault("application_ids", []).append(record["id"])
    candidate.setdefault("remote_application_ids", []).append(record["remote_id"])
    return created(call, record, "applications")


def update_application(call: Call) -> Response:
    stored = call.require("applications", call.path["id"])
    body = call.dto(s.AtsUpdateApplicationRequestDto)
    changes = written(body)
    record = call.tenant["applications"].add(build(s.Application, **{**stored, **changes, "updated_at": now_iso()}))
    if body.application_status is not None and record["application_status"] != stored["application_status"]:
        record_change(call.tenant, record, "application_status", application_status=record["application_status"])
    return updated()


def move(tenant: Tenant, stored: Record, stage: Record) -> Record:
    record = tenant["applications"].add(build(s.Application, **{**stored, **at_stage(stage), "updated_at": now_iso()}))
    record_change(tenant, record, "interview_stage", interview_stage_id=stage["id"])
    return record


def move_application(call: Call) -> Response:
    stored = call.require("applications", call.path["id"])
    stage_id = call.dto(s.AtsMoveApplicationRequestDto).interview_stage_id
    stage = next((st for st in stages_of(call.tenant, stored["job_id"]) if st["id"] == stage_id), None)
    if stage is None:
        raise call.refused([("interview_stage_id", f"{stage_id} is not a stage of the application's job")])
    return moved(move(call.tenant, stored, stage))


def reject_application(call: Call) -> Response:
    stored = call.require("applications", call.path["id"])
    reason_id = call.dto(s.AtsRejectApplicationRequestDto).rejected_reason_id
    reason = call.tenant["rejected_reasons"].get(reason_id or "")
    if reason is None:
        raise call.refused([("rejected_reason_id", f"Unknown rejected reason {reason_id}")])
    return rejected(reject(call.tenant, stored, reason))


def reject(tenant: Tenant, stored: Record, reason: Record) -> Record:
    stamp = now_iso()
    record = tenant["applications"].add(
        build(
            s.Application,
            **{
                **stored,
                "rejected_reasons": [reason],
                "rejected_reason_ids": [reason["id"]],
                "remote_rejected_reason_ids": [reason["remote_id"]],
                "rejected_at": stamp,
                "application_status": enum("rejected"),
                "updated_at": stamp,
            },
        )
    )
    record_change(
        tenant,
        record,
        "rejected_reasons",
        rejected_reason_ids=[reason["id"]],
        application_status=record["application_status"],
    )
    return record


def _changes(call: Call) -> list[Record]:
    application = call.require("applications", call.path["id"])
    return call.tenant[f"applications/{application['id']}/changes"].all()


OPERATIONS = (
    listing(
        "ats_list_applications",
        APPS,
        s.Application,
        lambda call: call.tenant["applications"].all(),
        view=application_view,
        filters=("updated_after", "created_after", "job_id", "stage", "application_stage_id"),
        params=("sync_token", "job_id"),
        include=("attachments", "custom_fields"),
        expand=("documents",),
    ),
    writing("ats_create_application", "POST", APPS, s.AtsCreateApplicationRequestDto, create_application),
    reading(
        "ats_get_application",
        f"{APPS}/{{id}}",
        s.Application,
        lambda call: call.require("applications", call.path["id"]),
        view=application_view,
        include=("attachments", "custom_fields"),
        expand=("documents",),
    ),
    writing("ats_update_application", "PATCH", f"{APPS}/{{id}}", s.AtsUpdateApplicationRequestDto, update_application),
    writing("ats_move_application", "POST", f"{APPS}/{{id}}/move", s.AtsMoveApplicationRequestDto, move_application),
    writing(
        "ats_reject_application", "POST", f"{APPS}/{{id}}/reject", s.AtsRejectApplicationRequestDto, reject_application
    ),
    listing(
        "ats_list_application_changes",
        f"{APPS}/{{id}}/changes",
        s.ApplicationChanges,
        _changes,
        filters=("created_after", "change_type"),
        base=READ | {"filter", "page_size", "next"},
        params=(),
    ),
)
"""Applications and their changes (notes, documents, offers, scorecards and interviews are in their modules)."""
