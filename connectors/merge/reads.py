"""Merge reads: one plan for every list and get, driven by a table of what differs per operation.

Merge's pages are `{next, previous, results}` with its cursor in `next`; `page_size` is the caller's (Merge's
maximum is the unified one, 100). `raw=true` asks Merge for `include_remote_data`, so the raw exchanges carry the
ATS's own records. A sub-resource (an application's offers) is filtered by its owner where Merge can filter, and
checked against it on a get; Merge keeps attachments and notes on the candidate, so an application's are its
candidate's, read after the application itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.base import (
    AccountContext,
    Call,
    PageResult,
    Plan,
    ProviderRequest,
    RecordResult,
    Steps,
    fetch_file,
    json_list,
    json_object,
)
from connectors.errors import FieldError, InvalidInput
from connectors.merge.api import (
    application_candidate,
    collection_path,
    headers_of,
    merge_id,
    record_path,
    ref_id,
)
from connectors.merge.applications import APPLICATION_TABLE
from connectors.merge.candidates import CANDIDATE_TABLE
from connectors.merge.records import (
    DEPARTMENT_TABLE,
    DOCUMENT_TABLE,
    INTERVIEW_TABLE,
    JOB_POSTING_TABLE,
    JOB_STATUS_FILTER,
    JOB_TABLE,
    LOCATION_TABLE,
    NOTE_TABLE,
    OFFER_TABLE,
    REJECTED_REASON_TABLE,
    SCORECARD_TABLE,
    STAGE_TABLE,
    USER_TABLE,
)

Reader = Callable[[Mapping[str, Any]], dict[str, Any]]

DATES = {"updated_after": "modified_after", "created_after": "created_after"}
"""Merge filters by its own `modified_at`/`created_at` (when its copy changed or was stored), which can be later
than the ATS's dates: a filtered list has everything changed after the date, and possibly more."""


@dataclass(frozen=True)
class Within:
    """How a sub-resource belongs to the record in the path."""

    field: str
    """The Merge field naming the owner (`application`, `candidate`, `job`)."""
    param: str | None
    """Merge's list filter by the owner; None where Merge has none, and each page is filtered here."""
    candidate_of_application: bool = False
    """The owner is the path's application's candidate (Merge keeps attachments and notes on candidates)."""


@dataclass(frozen=True)
class ReadSpec:
    collection: str
    read: Reader
    filters: Mapping[str, str] = field(default_factory=lambda: DATES)
    """Unified filter → Merge's query parameter."""
    expand: str | None = None
    """What Merge expands so the unified record can be filled (names, stages, remote ids of references)."""
    within: Within | None = None
    note: str | None = None
    """How the operation differs from its unified meaning (said in /meta and docs/mappings.md)."""


_OF_APPLICATION = Within("application", "application_id")
_OF_APPLICANT = Within("candidate", "candidate_id", candidate_of_application=True)
_NOTES_OF_APPLICANT = Within("candidate", None, candidate_of_application=True)
_NOTES_OF_CANDIDATE = Within("candidate", None)
_UNFILTERED = (
    "Merge cannot filter activities by candidate: each page of Merge's activities is filtered here, so a page may "
    "hold fewer notes than page_size (even none) and still have a next cursor."
)
_APPLICANT_NOTES = (
    "Merge keeps notes (activities) on the candidate: these are the notes of the application's candidate, on all of "
    "its applications. "
)

APPLICATIONS = ReadSpec(
    "applications",
    APPLICATION_TABLE.to_unified,
    {**DATES, "job_id": "job_id", "application_stage_id": "current_stage_id"},
    expand="candidate,job,current_stage,reject_reason",
)
CANDIDATES = ReadSpec("candidates", CANDIDATE_TABLE.to_unified, {**DATES, "email": "email_addresses"})
INTERVIEWS = ReadSpec("interviews", INTERVIEW_TABLE.to_unified, expand="interviewers,job_interview_stage")
STAGES = ReadSpec("job-interview-stages", STAGE_TABLE.to_unified)
OFFERS = ReadSpec("offers", OFFER_TABLE.to_unified)
JOBS = ReadSpec(
    "jobs",
    JOB_TABLE.to_unified,
    {**DATES, "job_status": "status"},
    expand="departments,offices,hiring_managers,recruiters",
)
_APPLICATION_OFFERS = ReadSpec("offers", OFFER_TABLE.to_unified, within=_OF_APPLICATION)
_APPLICATION_SCORECARDS = ReadSpec("scorecards", SCORECARD_TABLE.to_unified, within=_OF_APPLICATION)
_APPLICATION_INTERVIEWS = ReadSpec(
    "interviews", INTERVIEW_TABLE.to_unified, expand="interviewers,job_interview_stage", within=_OF_APPLICATION
)
_APPLICATION_DOCUMENTS = ReadSpec(
    "attachments",
    DOCUMENT_TABLE.to_unified,
    within=_OF_APPLICANT,
    note="Merge keeps attachments on the candidate: these are the application's candidate's attachments.",
)
_CANDIDATE_NOTES = ReadSpec("activities", NOTE_TABLE.to_unified, within=_NOTES_OF_CANDIDATE)
_JOB_STAGES = ReadSpec("job-interview-stages", STAGE_TABLE.to_unified, within=Within("job", "job_id"))

READS: Mapping[str, ReadSpec] = {
    "ats_list_applications": APPLICATIONS,
    "ats_get_application": APPLICATIONS,
    "ats_list_applications_offers": _APPLICATION_OFFERS,
    "ats_get_application_offer": _APPLICATION_OFFERS,
    "ats_list_application_scorecards": _APPLICATION_SCORECARDS,
    "ats_get_application_scorecard": _APPLICATION_SCORECARDS,
    "ats_list_application_notes": ReadSpec(
        "activities", NOTE_TABLE.to_unified, within=_NOTES_OF_APPLICANT, note=_APPLICANT_NOTES + _UNFILTERED
    ),
    "ats_get_application_note": ReadSpec(
        "activities", NOTE_TABLE.to_unified, within=_NOTES_OF_APPLICANT, note=_APPLICANT_NOTES.strip()
    ),
    "ats_list_applications_scheduled_interviews": _APPLICATION_INTERVIEWS,
    "ats_get_application_scheduled_interview": _APPLICATION_INTERVIEWS,
    "ats_list_application_documents": _APPLICATION_DOCUMENTS,
    "ats_get_application_document": _APPLICATION_DOCUMENTS,
    "ats_list_candidates": CANDIDATES,
    "ats_get_candidate": CANDIDATES,
    "ats_list_candidate_notes": ReadSpec(
        "activities", NOTE_TABLE.to_unified, within=_NOTES_OF_CANDIDATE, note=_UNFILTERED
    ),
    "ats_get_candidate_note": _CANDIDATE_NOTES,
    "ats_list_departments": ReadSpec("departments", DEPARTMENT_TABLE.to_unified),
    "ats_get_department": ReadSpec("departments", DEPARTMENT_TABLE.to_unified),
    "ats_list_interview_stages": STAGES,
    "ats_get_interview_stage": STAGES,
    "ats_list_application_stages": STAGES,
    "ats_get_application_stage": STAGES,
    "ats_list_interviews": INTERVIEWS,
    "ats_get_interview": INTERVIEWS,
    "ats_list_jobs": JOBS,
    "ats_get_job": JOBS,
    "ats_list_job_application_stages": _JOB_STAGES,
    "ats_get_job_application_stage": _JOB_STAGES,
    "ats_list_locations": ReadSpec("offices", LOCATION_TABLE.to_unified),
    "ats_get_location": ReadSpec("offices", LOCATION_TABLE.to_unified),
    "ats_list_rejected_reasons": ReadSpec("reject-reasons", REJECTED_REASON_TABLE.to_unified),
    "ats_get_rejected_reason": ReadSpec("reject-reasons", REJECTED_REASON_TABLE.to_unified),
    "ats_list_users": ReadSpec("users", USER_TABLE.to_unified),
    "ats_get_user": ReadSpec("users", USER_TABLE.to_unified),
    "ats_list_job_postings": ReadSpec("job-postings", JOB_POSTING_TABLE.to_unified),
    "ats_get_job_posting": ReadSpec("job-postings", JOB_POSTING_TABLE.to_unified),
    "ats_list_offers": OFFERS,
    "ats_get_offer": OFFERS,
}
"""Every unified read Merge serves, by operation id → the Merge collection and how it is read."""


def _query(call: Call, spec: ReadSpec) -> dict[str, str]:
    query: dict[str, str] = {}
    if spec.expand:
        query["expand"] = spec.expand
    if call.query.raw:
        query["include_remote_data"] = "true"
    return query


def _owner(spec: ReadSpec, owner_id: str | None, headers: Mapping[str, str]) -> Steps[str | None]:
    """The id a sub-resource's owner field must hold: the path's record, or its application's candidate."""
    if spec.within is not None and spec.within.candidate_of_application:
        assert owner_id is not None
        return (yield from application_candidate(owner_id, headers))
    return owner_id


def read_list(call: Call, account: AccountContext) -> Plan:
    """Ids and filters are checked here, before anything is admitted or sent."""
    spec = READS[call.operation.id]
    query = _query(call, spec)
    query["page_size"] = str(call.query.page_size)
    if call.query.cursor:
        query["cursor"] = call.query.cursor
    for key, value in call.query.filters.items():
        query[spec.filters[key]] = JOB_STATUS_FILTER[value] if key == "job_status" else value
    owner_id = merge_id(call.record_id) if spec.within is not None else None
    return _page(spec, owner_id, query, headers_of(account))


def _page(spec: ReadSpec, owner_id: str | None, query: dict[str, str], headers: Mapping[str, str]) -> Plan:
    owner = yield from _owner(spec, owner_id, headers)
    within = spec.within
    if within is not None and within.param is not None and owner is not None:
        query[within.param] = owner
    response = yield ProviderRequest("GET", collection_path(spec.collection), headers, query)
    items = json_list(response, "results")
    if within is not None and within.param is None:
        items = [item for item in items if ref_id(item.get(within.field)) == owner]
    return PageResult([spec.read(item) for item in items], json_object(response).get("next") or None)


def read_one(call: Call, account: AccountContext) -> Plan:
    spec = READS[call.operation.id]
    if spec.within is None:
        return _one(spec, merge_id(call.record_id), None, _query(call, spec), headers_of(account))
    record_id = merge_id(call.sub_id, "subResourceId")
    return _one(spec, record_id, merge_id(call.record_id), _query(call, spec), headers_of(account))


def _one(
    spec: ReadSpec, record_id: str, owner_id: str | None, query: dict[str, str], headers: Mapping[str, str]
) -> Plan:
    record = yield from _owned(spec, record_id, owner_id, query, headers)
    return RecordResult(spec.read(record))


def _owned(
    spec: ReadSpec, record_id: str, owner_id: str | None, query: dict[str, str], headers: Mapping[str, str]
) -> Steps[dict[str, Any]]:
    """A Merge record; under a path's owner, only if it belongs to it (another's is a 404, as no record)."""
    owner = yield from _owner(spec, owner_id, headers)
    response = yield ProviderRequest("GET", record_path(spec.collection, record_id), headers, query)
    record = json_object(response)
    if spec.within is not None and ref_id(record.get(spec.within.field)) != owner:
        raise InvalidInput(
            [FieldError("subResourceId", "merge.not_owned", f"No record has id '{record_id}' here", code="not_found")],
            status=404,
        )
    return record


def download(call: Call, account: AccountContext) -> Plan:
    """An application's document: the attachment (checked to be its candidate's), then its file (fetch_file)."""
    return _download(merge_id(call.sub_id, "subResourceId"), merge_id(call.record_id), headers_of(account))


def _download(attachment_id: str, application_id: str, headers: Mapping[str, str]) -> Plan:
    attachment = yield from _owned(_APPLICATION_DOCUMENTS, attachment_id, application_id, {}, headers)
    return (yield from fetch_file(attachment, "Merge"))
