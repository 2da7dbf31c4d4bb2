"""Bindbee reads: one plan for every list and get, driven by a table of what differs per resource.

Bindbee pages are `{cursor, page_size, items}` and its records are Merge-like, so every record goes through the
resource's mapping table (or a small reader for reference data) into the unified shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from connectors.base import (
    AccountContext,
    Call,
    PageResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    RecordResult,
    Steps,
    fetch_file,
    json_list,
    json_object,
    one_request,
)
from connectors.bindbee.applications import APPLICATION_TABLE
from connectors.bindbee.candidates import CANDIDATE_TABLE
from connectors.bindbee.jobs import JOB_TABLE
from connectors.bindbee.process import (
    DOCUMENT_TABLE,
    INTERVIEW_TABLE,
    NOTE_TABLE,
    OFFER_TABLE,
    SCORECARD_TABLE,
    STAGE_TABLE,
)
from connectors.bindbee.reference import DEPARTMENT_TABLE, LOCATION_TABLE, REJECTED_REASON_TABLE, USER_TABLE
from connectors.bindbee.refs import ref_id
from connectors.errors import FieldError, InvalidInput, UnexpectedResponse

BASE_PATH = "/api/ats/v1"

Reader = Callable[[Mapping[str, Any]], dict[str, Any]]


_MODIFIED = {"updated_after": "modified_after"}


@dataclass(frozen=True)
class ReadSpec:
    path: str
    """Bindbee's collection path under /api/ats/v1."""
    read: Reader
    filters: Mapping[str, str] = field(default_factory=lambda: _MODIFIED)
    """Unified filter → Bindbee query parameter."""
    expand: str | None = None
    """What Bindbee expands so the unified record can be filled (names, remote ids of references)."""
    custom_fields: bool = False
    parent: str | None = None
    """For a sub-resource: the Bindbee relation (and list filter) naming the parent record."""
    via_candidate: bool = False
    """The parent is an application, but Bindbee keeps these on the application's candidate."""
    keep: Callable[[Mapping[str, Any]], bool] | None = None
    """Which of Bindbee's records are the unified ones (an activity is a note only when it is a NOTE)."""


def _is_note(activity: Mapping[str, Any]) -> bool:
    return activity.get("activity_type") == "NOTE"


_STAGES = ReadSpec("/job-interview-stages", STAGE_TABLE.to_unified)
_NOTES = ReadSpec("/activities", NOTE_TABLE.to_unified, parent="candidate", keep=_is_note)
READS: Mapping[str, ReadSpec] = {
    # the operation's collection (connectors.catalogue.Operation.collection) → how Bindbee reads it
    "jobs": ReadSpec(
        "/jobs",
        JOB_TABLE.to_unified,
        {**_MODIFIED, "job_status": "status"},
        "departments,offices,hiring_managers,recruiters",
        custom_fields=True,
    ),
    "candidates": ReadSpec(
        "/candidates",
        CANDIDATE_TABLE.to_unified,
        {**_MODIFIED, "email": "email_addresses"},
        "applications",
        custom_fields=True,
    ),
    "applications": ReadSpec("/applications", APPLICATION_TABLE.to_unified, expand="candidate,job", custom_fields=True),
    "departments": ReadSpec("/departments", DEPARTMENT_TABLE.to_unified),
    "locations": ReadSpec("/offices", LOCATION_TABLE.to_unified),
    "users": ReadSpec("/remote-users", USER_TABLE.to_unified),
    "rejected_reasons": ReadSpec("/reject-reasons", REJECTED_REASON_TABLE.to_unified),
    "candidates/notes": _NOTES,
    "applications/notes": replace(_NOTES, via_candidate=True),
    "applications/documents": ReadSpec(
        "/attachments", DOCUMENT_TABLE.to_unified, parent="candidate", via_candidate=True
    ),
    "application_stages": _STAGES,
    "interview_stages": _STAGES,
    "jobs/application_stages": replace(_STAGES, parent="job"),
    "offers": ReadSpec("/offers", OFFER_TABLE.to_unified),
    "applications/offers": ReadSpec("/offers", OFFER_TABLE.to_unified, parent="application"),
    "interviews": ReadSpec("/scheduled-interviews", INTERVIEW_TABLE.to_unified),
    "applications/scheduled_interviews": ReadSpec(
        "/scheduled-interviews", INTERVIEW_TABLE.to_unified, parent="application"
    ),
    "applications/scorecards": ReadSpec("/scorecards", SCORECARD_TABLE.to_unified, parent="application"),
}


def _query(call: Call, spec: ReadSpec) -> dict[str, str]:
    query: dict[str, str] = {}
    if spec.expand:
        query["expand"] = spec.expand
    if spec.custom_fields:
        query["include_custom_fields"] = "true"
    if call.query.raw:
        query["include_raw_data"] = "true"
    return query


def read_list(call: Call, account: AccountContext) -> Plan:
    spec = READS[call.operation.collection]
    query = _query(call, spec)
    query["page_size"] = str(call.query.page_size)
    if call.query.cursor:
        query["cursor"] = call.query.cursor
    for key, value in call.query.filters.items():
        query[spec.filters[key]] = value.upper() if key == "job_status" else value
    headers = headers_of(account)
    if spec.parent is not None:
        query[spec.parent] = bindbee_id(call.record_id)
    if spec.via_candidate:
        return _candidate_first(
            call, account, lambda candidate: _page(spec, {**query, "candidate": candidate}, headers)
        )
    return _page(spec, query, headers)


def _page(spec: ReadSpec, query: dict[str, str], headers: dict[str, str]) -> Plan:
    def read(response: ProviderResponse) -> PageResult:
        items = [item for item in json_list(response, "items") if spec.keep is None or spec.keep(item)]
        return PageResult([spec.read(item) for item in items], json_object(response).get("cursor") or None)

    return one_request(ProviderRequest("GET", BASE_PATH + spec.path, headers, query), read)


def application_candidate(application_id: str, headers: Mapping[str, str]) -> Steps[str]:
    """The Bindbee id of an application's candidate, where Bindbee keeps notes and attachments."""
    response = yield ProviderRequest("GET", f"{BASE_PATH}/applications/{application_id}", headers)
    candidate = ref_id(json_object(response).get("candidate"))
    if candidate is None:
        raise UnexpectedResponse("Bindbee's application names no candidate")
    return candidate


def _candidate_first(call: Call, account: AccountContext, then: Callable[[str], Plan]) -> Plan:
    candidate = yield from application_candidate(bindbee_id(call.record_id), headers_of(account))
    return (yield from then(candidate))


def read_one(call: Call, account: AccountContext) -> Plan:
    spec = READS[call.operation.collection]
    record_id = call.sub_id if spec.parent is not None else call.record_id
    path = f"{BASE_PATH}{spec.path}/{quote(bindbee_id(record_id), safe='')}"
    request = ProviderRequest("GET", path, headers_of(account), _query(call, spec))
    if spec.parent is None:
        return one_request(request, lambda r: RecordResult(spec.read(json_object(r))))
    return _child(call, spec, request)


def _child(call: Call, spec: ReadSpec, request: ProviderRequest) -> Plan:
    return RecordResult(spec.read((yield from _owned(call, spec, request))))


def _owned(call: Call, spec: ReadSpec, request: ProviderRequest) -> Steps[dict[str, Any]]:
    """A sub-resource's Bindbee record, only if it belongs to the parent in the path (else it is not found there)."""
    parent = bindbee_id(call.record_id)
    if spec.via_candidate:
        parent = yield from application_candidate(parent, request.headers)
    record = json_object((yield request))
    assert spec.parent is not None
    if ref_id(record.get(spec.parent)) != parent or (spec.keep is not None and not spec.keep(record)):
        raise InvalidInput([FieldError("subResourceId", "bindbee.parent", "No such record here", "not_found")], 404)
    return record


def download(call: Call, account: AccountContext) -> Plan:
    """An application's document: the attachment (checked to be its candidate's), then its file (fetch_file)."""
    spec = READS["applications/documents"]
    path = f"{BASE_PATH}{spec.path}/{quote(bindbee_id(call.sub_id, 'subResourceId'), safe='')}"
    attachment = yield from _owned(call, spec, ProviderRequest("GET", path, headers_of(account)))
    return (yield from fetch_file(attachment, "Bindbee"))


def headers_of(account: AccountContext) -> dict[str, str]:
    return {
        "authorization": f"Bearer {account.credentials['api_key']}",
        "x-connector-token": account.credentials["connector_token"],
        "accept": "application/json",
    }


def bindbee_id(record_id: str | None, field: str = "id") -> str:
    """Bindbee ids are uuids and its API answers 422 for anything else; for the caller that is a 404."""
    try:
        return str(uuid.UUID(record_id or ""))
    except ValueError:
        raise InvalidInput(
            [FieldError(field, "bindbee.id_format", f"No record has id '{record_id}'", code="not_found")],
            status=404,
        ) from None
