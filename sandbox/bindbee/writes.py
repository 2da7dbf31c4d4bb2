"""Bindbee's documented creates: jobs, candidates (either body), activities and candidate attachments.

Each answers every problem at once in FastAPI's 422 shape (`{"detail": [{loc, msg, type, input}]}`). On
Greenhouse connectors they also enforce what Harvest needs for the call Bindbee makes there (a template and
openings for a job, names for a candidate, a note's author and visibility, an attachment's name, type and content
type): the gateway must catch these first; the sandbox is the backstop. Which Harvest call Bindbee makes for an
activity or an attachment is not documented: the sandbox reads them as Add Note and the candidate's Add
Attachment, the only Harvest calls those fields fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox.bindbee.files import FileStore, decode_base64
from sandbox.bindbee.harvest_attachments import CONTENT_TYPES
from sandbox.bindbee.models import (
    AtsAttachmentWrite,
    AtsCandidateWrite,
    CreateAtsActivity,
    CreateAtsJob,
    CreateCandidate,
)
from sandbox.bindbee.records import add_attachment, add_stages, apply_to_job, log_activity, new_record
from sandbox.common import Tenant, now_iso

Loc = Sequence[str | int]
HARVEST_ATTACHMENT_TYPE = {"RESUME": "resume", "COVER_LETTER": "cover_letter", "OTHER": "admin_only"}
"""Bindbee's attachment types Harvest's candidate Add Attachment takes (§2.4), and their Harvest names."""


class Invalid(Exception):
    """A 422 with FastAPI's detail list."""

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        self.detail = detail


def detail(loc: Loc, msg: str, kind: str = "value_error", value: Any = None) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind, "input": value}


def _missing(loc: Loc) -> dict[str, Any]:
    return detail(loc, "Field required for Greenhouse", "missing")


def _exists(tenant: Tenant, kind: str, ref: Any, loc: Loc, what: str) -> list[dict[str, Any]]:
    if ref is None or tenant[kind].get(str(ref)) is not None:
        return []
    return [detail(loc, f"No {what} with this id", "value_error", str(ref))]


def create_job(tenant: Tenant, body: CreateAtsJob) -> dict[str, Any]:
    problems = []
    for key, kind in (
        ("departments", "departments"),
        ("offices", "offices"),
        ("hiring_managers", "remote-users"),
        ("recruiters", "remote-users"),
    ):
        for i, ref in enumerate(getattr(body, key) or []):
            problems += _exists(tenant, kind, ref, ["body", key, i], f"{kind} record")
    problems += _exists(tenant, "remote-users", body.remote_user_id, ["body", "remote_user_id"], "remote user")
    template = template_job(tenant, body.template_id)
    if body.template_id is not None and template is None:
        problems.append(
            detail(["body", "template_id"], "No template job with this id or remote_id", value=body.template_id)
        )
    if tenant.ats == "greenhouse":
        problems += [
            _missing(["body", key])
            for key in ("template_id", "remote_user_id", "openings")
            if getattr(body, key) is None
        ]
        if len(body.departments or []) > 1:
            departments = [str(d) for d in body.departments or []]
            problems.append(
                detail(["body", "departments"], "Greenhouse jobs take a single department", "too_long", departments)
            )
    if problems:
        raise Invalid(problems)
    stamp, remote = now_iso(), tenant.remote_id()
    status = body.status or "OPEN"
    fields = {
        "name": body.name,
        "description": body.description,
        "code": body.code,
        "status": status,
        "job_posting_urls": [u.model_dump() for u in body.job_posting_urls or []],
        "remote_created_at": stamp,
        "remote_updated_at": stamp,
        "confidential": body.confidential,
        **{
            key: [str(i) for i in getattr(body, key) or []]
            for key in ("departments", "offices", "hiring_managers", "recruiters")
        },
    }
    raw = {
        "name": body.name,
        "requisition_id": body.code,
        "is_template": False,
        "copied_from_id": int(template["remote_id"]) if template else None,
        "openings": [{"opening_id": f"{remote}-{n}"} for n in range(1, (body.openings or 0) + 1)],
        "status": status.lower(),
    }
    job = new_record(tenant, "jobs", fields, raw=raw, remote_id=remote, stamp=stamp)
    add_stages(tenant, job["id"])  # a Greenhouse job copies its template's interview plan
    return job


def template_job(tenant: Tenant, template_id: str | None) -> dict[str, Any] | None:
    """A template job by Bindbee id or Greenhouse id, as Bindbee's Greenhouse job create accepts both."""
    if template_id is None:
        return None
    return next(
        (
            r
            for r in tenant["jobs"].records.values()
            if template_id in (r["id"], r.get("remote_id")) and bool((r.get("raw_data") or {}).get("is_template"))
        ),
        None,
    )


def create_candidate(tenant: Tenant, files: FileStore, body: CreateCandidate | AtsCandidateWrite) -> dict[str, Any]:
    """Either documented body: the `{data, remote_user_id}` envelope or the flat `AtsCandidateWrite`, whose
    attachments are uploaded with the candidate. A job puts the candidate on it (in the stage given, if any)."""
    problems: list[dict[str, Any]] = []
    uploads: list[AtsAttachmentWrite] = []
    extra: dict[str, Any] = {}
    if isinstance(body, CreateCandidate):
        where: list[str | int] = ["body", "data"]
        data = body.data.model_dump(mode="json", exclude={"job_id", "job_interview_stage_id"})
        job_id, stage_id, job_loc = body.data.job_id, body.data.job_interview_stage_id, "job_id"
        problems += _exists(tenant, "remote-users", body.remote_user_id, ["body", "remote_user_id"], "remote user")
    else:
        where = ["body"]
        data = body.model_dump(mode="json", exclude={"job", "attachments", "additional_attributes"})
        job_id, stage_id, job_loc, uploads = body.job, None, "job", body.attachments or []
        # The ATS-specific fields (create/meta's `additional_attributes`) go to the ATS: its payload keeps them.
        extra = body.additional_attributes or {}
    problems += _exists(tenant, "jobs", job_id, [*where, job_loc], "job")
    if stage_id is not None:
        stage = tenant["job-interview-stages"].get(str(stage_id))
        if stage is None or job_id is None or stage["job"] != str(job_id):
            problems.append(detail([*where, "job_interview_stage_id"], "Not a stage of the job", value=str(stage_id)))
    if tenant.ats == "greenhouse":
        problems += [_missing([*where, key]) for key in ("first_name", "last_name") if data.get(key) is None]
    # Ids of records that already exist: Bindbee does not say what a new candidate does with them, so the sandbox
    # refuses them rather than guess (a job puts the candidate on it; the flat body uploads attachments).
    problems += [
        detail([*where, key], "Existing ids are not taken on a new candidate", value=data[key])
        for key in ("applications", "attachments")
        if data.get(key)
    ]
    for i, upload in enumerate(uploads):
        problems += attachment_problems(tenant, None, upload, ["body", "attachments", i])
    if problems:
        raise Invalid(problems)
    stamp = now_iso()
    fields = {
        **data,
        "custom_fields": data.get("custom_fields") or {},
        "remote_created_at": data.get("remote_created_at") or stamp,
        "remote_updated_at": data.get("remote_updated_at") or stamp,
    }
    fields |= {"applications": [], "attachments": []}
    record = new_record(tenant, "candidates", fields, raw=extra, stamp=stamp)
    if job_id is not None:
        apply_to_job(tenant, record["id"], str(job_id), stage_id=None if stage_id is None else str(stage_id))
    for upload in uploads:
        attach(tenant, files, record["id"], upload)
    return record


def create_activity(tenant: Tenant, body: CreateAtsActivity) -> dict[str, Any]:
    problems = _exists(tenant, "candidates", body.candidate, ["body", "candidate"], "candidate")
    problems += _exists(tenant, "remote-users", body.user, ["body", "user"], "remote user")
    if tenant.ats == "greenhouse":
        problems += [
            _missing(["body", key]) for key in ("user", "body", "visibility", "candidate") if getattr(body, key) is None
        ]
        if body.activity_type != "NOTE":
            msg = "Greenhouse takes notes only (Harvest's Add Note is the activity these fields make)"
            problems.append(detail(["body", "activity_type"], msg, value=body.activity_type))
    if body.candidate is None and not problems:
        # Bindbee's activities hang off a candidate; without one there is nothing to attach the activity to.
        problems.append(detail(["body", "candidate"], "An activity needs a candidate", value=None))
    if problems:
        raise Invalid(problems)
    assert body.candidate is not None
    user = None if body.user is None else str(body.user)
    return log_activity(
        tenant,
        str(body.candidate),
        user,
        body.activity_type,
        body.body,
        subject=body.subject,
        visibility=body.visibility,
    )


def attachment_problems(
    tenant: Tenant, candidate_id: str | None, body: AtsAttachmentWrite, where: Loc = ("body",)
) -> list[dict[str, Any]]:
    """Bytes or a URL, never both; the body's candidate, if given, is the path's; on Greenhouse, what the
    candidate's Add Attachment requires."""
    problems = []
    if candidate_id is not None and body.candidate is not None and str(body.candidate) != candidate_id:
        problems.append(detail([*where, "candidate"], "Must be the candidate of the path", value=str(body.candidate)))
    problems += _exists(tenant, "remote-users", body.remote_user_id, [*where, "remote_user_id"], "remote user")
    if (body.file_content is None) == (body.file_url is None):
        problems.append(detail([*where, "file_content"], "Give file_content (base64) or file_url, not both"))
    if body.file_content is not None and decode_base64(body.file_content) is None:
        problems.append(detail([*where, "file_content"], "Must be base64", "value_error", body.file_content[:40]))
    if tenant.ats == "greenhouse":
        problems += [_missing([*where, key]) for key in ("file_name", "attachment_type") if getattr(body, key) is None]
        if body.attachment_type is not None and body.attachment_type not in HARVEST_ATTACHMENT_TYPE:
            msg = f"Greenhouse candidate attachments are one of: {', '.join(HARVEST_ATTACHMENT_TYPE)}"
            problems.append(detail([*where, "attachment_type"], msg, value=body.attachment_type))
        if body.file_content is not None and body.content_type is None:
            problems.append(_missing([*where, "content_type"]))
        if body.content_type is not None and body.content_type not in CONTENT_TYPES:
            msg = "Not a content type Greenhouse accepts"
            problems.append(detail([*where, "content_type"], msg, value=body.content_type))
    return problems


def attach(tenant: Tenant, files: FileStore, candidate_id: str, body: AtsAttachmentWrite) -> dict[str, Any]:
    """Keep the file's bytes (served back from the sandbox) or the URL as given (the sandbox fetches nothing)."""
    content = None if body.file_content is None else decode_base64(body.file_content)
    harvest_type = HARVEST_ATTACHMENT_TYPE.get(body.attachment_type or "", "admin_only")
    return add_attachment(
        tenant,
        files,
        candidate_id,
        body.file_name,
        body.attachment_type,
        content=content,
        content_type=body.content_type,
        url=body.file_url,
        raw={"type": harvest_type},
    )
