"""Jobs, their application stages (also read through the deprecated interview stages), and job postings.

A job's stages are stored under the job (`jobs/{id}/application_stages`), the way StackOne reaches them; the
account-wide stage lists walk every job's. `expand=interview_stages` puts them on the job, `expand=job_postings`
adds the job's postings (a key StackOne's `AtsJob` schema does not declare: it is what the expansion names, and
the schema allows more keys), and `include=custom_fields` adds the custom fields; without them those keys are
left out, as StackOne leaves out what was not asked for.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import Response

from connectors.unified import schema as s
from sandbox.common import SEED_STAGES, Tenant, now_iso
from sandbox.stackone.errors import not_found
from sandbox.stackone.operation import Call, created, listing, reading, updated_with_ids, writing
from sandbox.stackone.records import Record, build, written

JOBS = "/unified/ats/jobs"


def stages_of(tenant: Tenant, job_id: str) -> list[Record]:
    return sorted(tenant[f"jobs/{job_id}/application_stages"].all(), key=lambda st: st["order"] or 0)


def all_stages(tenant: Tenant) -> list[Record]:
    return [stage for job in tenant["jobs"].all() for stage in stages_of(tenant, job["id"])]


def add_stages(tenant: Tenant, job_id: str, stages: list[dict[str, Any]], ids: list[str] | None = None) -> None:
    """The job's pipeline (`name`, `order` as given): ids are the provider's, so given ones are not kept."""
    collection = tenant[f"jobs/{job_id}/application_stages"]
    collection.records.clear()
    stamp = now_iso()
    for i, stage in enumerate(stages):
        collection.add(
            build(
                s.ApplicationStage,
                id=ids[i] if ids else str(uuid.uuid4()),
                remote_id=tenant.remote_id(),
                name=stage.get("name"),
                order=stage.get("order") if stage.get("order") is not None else i + 1,
                created_at=stamp,
                updated_at=stamp,
            )
        )


def default_stages() -> list[dict[str, Any]]:
    return [{"name": name, "order": i} for i, name in enumerate(SEED_STAGES, start=1)]


def job_view(call: Call, record: Record) -> Record:
    out = dict(record)
    query = call.query
    if "custom_fields" not in query.include:
        del out["custom_fields"]
    if "interview_stages" in query.expand:
        out["interview_stages"] = [build(s.InterviewStage, **st) for st in stages_of(call.tenant, record["id"])]
    else:
        del out["interview_stages"]
    if "job_postings" in query.expand:
        out["job_postings"] = [posting_view(call, p) for p in postings_of(call.tenant, record["id"])]
    return out


def postings_of(tenant: Tenant, job_id: str) -> list[Record]:
    return tenant["job_postings"].find(lambda p: p["job_id"] == job_id)


def posting_view(call: Call, record: Record) -> Record:
    if "questionnaires" in call.query.include:
        return record
    return {k: v for k, v in record.items() if k != "questionnaires"}


def _write(call: Call, body: s.AtsCreateJobRequestDto | s.AtsUpdateJobRequestDto, stored: Record) -> Record:
    hiring_team = body.hiring_team or []
    call.check_references(
        [("department_ids", "departments", i) for i in body.department_ids or []]
        + [("location_ids", "locations", i) for i in body.location_ids or []]
        + [("hiring_team.user_id", "users", m.user_id) for m in hiring_team]
    )
    fields = {**stored, **written(body, "interview_stages"), "updated_at": now_iso()}
    record = s.AtsJob.model_validate(fields, extra="forbid")
    tenant = call.tenant
    if record.department_ids is not None:
        record.remote_department_ids = [tenant["departments"].records[i]["remote_id"] for i in record.department_ids]
    if record.location_ids is not None:
        record.remote_location_ids = [tenant["locations"].records[i]["remote_id"] for i in record.location_ids]
    if record.job_status is None and record.status is not None:
        record.job_status = s.AtsJobStatusEnum(value="unmapped_value", source_value=record.status)
    return tenant["jobs"].add(record.model_dump(mode="json"))


def _stages_given(body: s.AtsCreateJobRequestDto | s.AtsUpdateJobRequestDto) -> list[dict[str, Any]] | None:
    stages = body.interview_stages
    return None if stages is None else [stage.model_dump() for stage in stages]


def create_job(call: Call) -> Response:
    body = call.dto(s.AtsCreateJobRequestDto)
    stamp = now_iso()
    blank = build(s.AtsJob, id=str(uuid.uuid4()), remote_id=call.tenant.remote_id(), created_at=stamp)
    record = _write(call, body, blank)
    add_stages(call.tenant, record["id"], _stages_given(body) or default_stages())
    return created(call, record, "jobs")


def update_job(call: Call) -> Response:
    body = call.dto(s.AtsUpdateJobRequestDto)
    record = _write(call, body, call.require("jobs", call.path["id"]))
    stages = _stages_given(body)
    if stages is not None:
        add_stages(call.tenant, record["id"], stages)
    return updated_with_ids(record)


def _job_stages(call: Call) -> list[Record]:
    return stages_of(call.tenant, call.require("jobs", call.path["id"])["id"])


def _job_stage(call: Call) -> Record:
    return _one_of(_job_stages(call), call.path["subResourceId"])


def _one_of(records: list[Record], key: str) -> Record:
    found = next((r for r in records if r["id"] == key), None)
    if found is None:
        raise not_found()
    return found


def _job(call: Call) -> Record:
    return call.require("jobs", call.path["id"])


OPERATIONS = (
    listing(
        "ats_list_jobs",
        JOBS,
        s.AtsJob,
        lambda call: call.tenant["jobs"].all(),
        view=job_view,
        filters=("updated_after", "created_after", "job_status", "status"),
        include=("custom_fields",),
        expand=("job_postings", "interview_stages"),
    ),
    writing("ats_create_job", "POST", JOBS, s.AtsCreateJobRequestDto, create_job),
    reading(
        "ats_get_job",
        f"{JOBS}/{{id}}",
        s.AtsJob,
        _job,
        view=job_view,
        include=("custom_fields",),
        expand=("job_postings", "interview_stages"),
    ),
    writing("ats_update_job", "PATCH", f"{JOBS}/{{id}}", s.AtsUpdateJobRequestDto, update_job),
    listing("ats_list_job_application_stages", f"{JOBS}/{{id}}/application_stages", s.ApplicationStage, _job_stages),
    reading(
        "ats_get_job_application_stage",
        f"{JOBS}/{{id}}/application_stages/{{subResourceId}}",
        s.ApplicationStage,
        _job_stage,
    ),
    listing(
        "ats_list_job_postings",
        "/unified/ats/job_postings",
        s.JobPosting,
        lambda call: call.tenant["job_postings"].all(),
        view=posting_view,
        filters=("updated_after", "created_after"),
        include=("questionnaires",),
    ),
    reading(
        "ats_get_job_posting",
        "/unified/ats/job_postings/{id}",
        s.JobPosting,
        lambda call: call.require("job_postings", call.path["id"]),
        view=posting_view,
        include=("questionnaires",),
    ),
    # StackOne answers both account-wide stage lists with its InterviewStage schema (the same fields).
    listing(
        "ats_list_interview_stages", "/unified/ats/interview_stages", s.InterviewStage, lambda c: all_stages(c.tenant)
    ),
    reading(
        "ats_get_interview_stage",
        "/unified/ats/interview_stages/{id}",
        s.InterviewStage,
        lambda call: _one_of(all_stages(call.tenant), call.path["id"]),
    ),
    listing(
        "ats_list_application_stages",
        "/unified/ats/application_stages",
        s.InterviewStage,
        lambda c: all_stages(c.tenant),
    ),
    reading(
        "ats_get_application_stage",
        "/unified/ats/application_stages/{id}",
        s.InterviewStage,
        lambda call: _one_of(all_stages(call.tenant), call.path["id"]),
    ),
)
"""Jobs, job stages, job postings, and the account's stages."""
