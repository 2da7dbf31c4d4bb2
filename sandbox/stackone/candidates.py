"""Candidates. `include=custom_fields` adds their custom fields; without it the key is left out."""

from __future__ import annotations

import uuid

from fastapi.responses import Response

from connectors.unified import schema as s
from sandbox.common import Tenant, now_iso
from sandbox.stackone.operation import Call, created, listing, reading, updated_with_ids, writing
from sandbox.stackone.records import Record, build, written

CANDIDATES = "/unified/ats/candidates"


def candidate_view(call: Call, record: Record) -> Record:
    if "custom_fields" in call.query.include:
        return record
    return {k: v for k, v in record.items() if k != "custom_fields"}


def new_candidate(tenant: Tenant, body: s.AtsCreateCandidateRequestDto | s.CreateCandidate) -> Record:
    """A candidate from StackOne's create DTO (also the `candidate` of a new application): one `email`, which
    the provider keeps as the candidate's only address; the deprecated `phone_number` is not a Candidate field."""
    stamp = now_iso()
    record = build(
        s.Candidate,
        **written(body, "phone_number"),
        id=str(uuid.uuid4()),
        remote_id=tenant.remote_id(),
        created_at=stamp,
        updated_at=stamp,
        emails=[{"type": None, "value": body.email}] if body.email else [],
        application_ids=[],
        remote_application_ids=[],
        tags=[],
    )
    return tenant["candidates"].add(record)


def create_candidate(call: Call) -> Response:
    return created(call, new_candidate(call.tenant, call.dto(s.AtsCreateCandidateRequestDto)), "candidates")


def update_candidate(call: Call) -> Response:
    stored = call.require("candidates", call.path["id"])
    changes = written(call.dto(s.AtsUpdateCandidateRequestDto))
    record = build(s.Candidate, **{**stored, **changes, "updated_at": now_iso()})
    return updated_with_ids(call.tenant["candidates"].add(record))


OPERATIONS = (
    listing(
        "ats_list_candidates",
        CANDIDATES,
        s.Candidate,
        lambda call: call.tenant["candidates"].all(),
        view=candidate_view,
        filters=("updated_after", "created_after", "email"),
        include=("custom_fields",),
    ),
    writing("ats_create_candidate", "POST", CANDIDATES, s.AtsCreateCandidateRequestDto, create_candidate),
    reading(
        "ats_get_candidate",
        f"{CANDIDATES}/{{id}}",
        s.Candidate,
        lambda call: call.require("candidates", call.path["id"]),
        view=candidate_view,
        include=("custom_fields",),
    ),
    writing("ats_update_candidate", "PATCH", f"{CANDIDATES}/{{id}}", s.AtsUpdateCandidateRequestDto, update_candidate),
)
"""Candidates (their notes are in `notes`)."""
