"""Bindbee: a Merge-like unified API whose shapes differ from StackOne's, so every field is translated.

Auth is a Bearer API key plus the per-customer `x-connector-token`. Bindbee has no update endpoints for ATS
models, and documents no body for most of its creates (PROVENANCE.md): what it cannot carry goes through its
passthrough to Greenhouse where Harvest documents the call, or is a 501 naming the gap, never an invented body.
Facts: ../shared/reference/bindbee-merge-greenhouse.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

from connectors.base import (
    AccountContext,
    Call,
    Connector,
    Handler,
    LookupResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    Support,
    WriteResult,
    json_list,
    one_request,
    served,
    unsupported,
)
from connectors.bindbee import greenhouse, writes
from connectors.bindbee.candidates import CANDIDATE_TABLE, harvest_update
from connectors.bindbee.jobs import JOB_TABLE
from connectors.bindbee.reads import BASE_PATH, READS, bindbee_id, download, headers_of, read_list, read_one
from connectors.catalogue import CATALOGUE, Answer, Operation
from connectors.errors import FieldError, InvalidInput, NotSupported
from connectors.mapping import merge_passthrough
from connectors.rules import MaxItems, Required, Rule
from connectors.unified.base import Dto
from connectors.unified.writes import ApplicationCreate, CandidateCreate

GREENHOUSE_JOB_RULES: tuple[Rule, ...] = (
    Required(
        "template_id",
        "greenhouse.requires_template",
        "Greenhouse creates jobs from a template job: give template_id (a job whose raw data says is_template)",
    ),
    Required(
        "acting_user_id",
        "greenhouse.requires_acting_user",
        "Greenhouse records who creates a job: give acting_user_id (a user id from /unified/ats/users)",
    ),
    Required("openings", "greenhouse.requires_openings", "Greenhouse needs the number of openings"),
    MaxItems("department_ids", "greenhouse.single_department", 1, "Greenhouse allows at most one department"),
)
GREENHOUSE_CANDIDATE_UPDATE_RULES: tuple[Rule, ...] = (
    Required(
        "acting_user_id",
        "greenhouse.requires_acting_user",
        "Greenhouse records who edits a candidate (On-Behalf-Of): give acting_user_id",
    ),
)
_GREENHOUSE_RULES = {"ats_create_job": GREENHOUSE_JOB_RULES, "ats_update_candidate": GREENHOUSE_CANDIDATE_UPDATE_RULES}
NOTE_RULES: tuple[Rule, ...] = (
    Required(
        "visibility",
        "bindbee.note_visibility",
        "Bindbee needs a note's visibility (its activities have no default): give visibility.value public or private",
    ),
)
_RULES = {"ats_create_candidate_note": NOTE_RULES, "ats_create_application_note": NOTE_RULES}


def _create_job(call: Call, account: AccountContext) -> Plan:
    assert call.body is not None
    return one_request(writes.post("/jobs", headers_of(account), JOB_TABLE.to_vendor(call.body)), writes.created)


def _create_candidate(call: Call, account: AccountContext) -> Plan:
    assert call.body is not None
    return one_request(writes.post("/candidates", headers_of(account), _candidate_envelope(call.body)), writes.created)


def _update_greenhouse_candidate(call: Call, account: AccountContext) -> Plan:
    """Bindbee cannot update candidates; Greenhouse can, through Bindbee's passthrough to Harvest.

    Everything is checked before the plan starts, so the caller hears about every problem at once and no vendor
    call is made for a request that cannot succeed.
    """
    assert call.body is not None
    errors: list[FieldError] = []
    harvest = harvest_update(call.body.model_dump(exclude_unset=True), errors)
    if errors:
        raise InvalidInput(errors)
    record_id = bindbee_id(call.record_id)
    acting = getattr(call.body, "acting_user_id", None)
    # A missing acting user is the Greenhouse rule's to report; only a malformed one is reported here.
    user_id = bindbee_id(acting, field="acting_user_id") if acting else ""
    return greenhouse.update_candidate(record_id, user_id, harvest, headers_of(account))


def _create_application(call: Call, account: AccountContext) -> Plan:
    """A candidate put on a job, on the one documented route for each case.

    A new candidate is created on the job in one call (`PostCandidate.job_id`), never a candidate then an
    application: a failure between two writes would leave half of the request applied. Bindbee documents no body
    for `POST /applications` (PROVENANCE.md), so an existing candidate goes through Harvest's Add Application on
    Greenhouse, and is a 501 on any other ATS rather than a guessed body.
    """
    body = call.body
    assert isinstance(body, ApplicationCreate)
    headers = headers_of(account)
    errors = _application_errors(body)
    if errors:
        raise InvalidInput(errors)
    if body.candidate is not None:
        inline = CandidateCreate.model_validate(
            {**body.candidate.model_dump(exclude_unset=True), "acting_user_id": body.acting_user_id}
        )
        try:
            envelope = _candidate_envelope(inline, body.job_id)
        except InvalidInput as exc:
            # The inline candidate's fields are the caller's `candidate.*`, not top-level fields of the application.
            raise InvalidInput([replace(e, field=f"candidate.{e.field}") for e in exc.errors]) from exc
        return one_request(writes.post("/candidates", headers, envelope), writes.created)
    if account.ats != "greenhouse":
        raise NotSupported(
            "bindbee",
            call.operation.id,
            "Bindbee documents no request body for POST /api/ats/v1/applications, so an existing candidate can be "
            "put on a job only on Greenhouse accounts (through Harvest); send `candidate` to create a new candidate "
            "on the job instead",
        )
    if body.source is not None:
        errors.append(
            FieldError(
                "source",
                "greenhouse.source_id",
                "Harvest takes a numeric Greenhouse source id: give it as passthrough.source_id",
                code="unsupported_field",
            )
        )
    if not body.acting_user_id:
        errors.append(
            FieldError(
                "acting_user_id",
                "greenhouse.requires_acting_user",
                "Greenhouse records who adds an application (On-Behalf-Of): give acting_user_id",
                code="missing_required_field",
            )
        )
    extra: dict[str, Any] = {}
    merge_passthrough(extra, body.passthrough, errors)
    if errors:
        raise InvalidInput(errors)
    ids = (
        bindbee_id(body.candidate_id, field="candidate_id"),
        bindbee_id(body.job_id, field="job_id"),
        bindbee_id(body.acting_user_id, field="acting_user_id"),
    )
    return greenhouse.add_application(*ids, extra, headers)


_HANDLERS: Mapping[str, Handler] = {
    **{op.id: read_list for op in CATALOGUE.values() if op.answer == Answer.PAGE and op.collection in READS},
    **{op.id: read_one for op in CATALOGUE.values() if op.answer == Answer.RECORD and op.collection in READS},
    "ats_create_job": _create_job,
    "ats_create_candidate": _create_candidate,
    "ats_update_candidate": _update_greenhouse_candidate,
    "ats_create_application": _create_application,
    "ats_create_candidate_note": writes.create_candidate_note,
    "ats_create_application_note": writes.create_application_note,
    "ats_upload_application_document": writes.upload_document,
    "ats_download_application_document": download,
    "ats_move_application": writes.move_application,
    "ats_reject_application": writes.reject_application,
    "ats_update_application": writes.update_application,
}


ON_THE_CANDIDATE = (
    "Bindbee keeps notes and attachments on the candidate: an application's are its candidate's, and one added "
    "to an application is added to its candidate"
)


def _read_support(op: Operation) -> Support:
    spec = READS[op.collection]
    filters = spec.filters if op.answer == Answer.PAGE else {}
    # Custom fields are always asked for and answered, so StackOne's `include=custom_fields` is honoured as it is.
    includes = {"include": frozenset({"custom_fields"})} if spec.custom_fields else {}
    return Support(None, frozenset(filters), note=ON_THE_CANDIDATE if spec.via_candidate else None, values=includes)


_CANDIDATE_UPDATE_OUTSIDE_GREENHOUSE = (
    "Bindbee has no candidate update endpoint; the gateway updates candidates through Bindbee's passthrough only "
    "where the ATS is Greenhouse"
)
_APPLICATION_WRITES_OUTSIDE_GREENHOUSE = (
    "Bindbee has no endpoint to move, reject or update an application; the gateway does it through Bindbee's "
    "passthrough to Harvest only where the ATS is Greenhouse"
)
_SUPPORT: Mapping[str, Support] = {
    **{
        op.id: _read_support(op)
        for op in map(CATALOGUE.__getitem__, _HANDLERS)
        if not op.is_write and op.collection in READS
    },
    **served("ats_create_job"),
    **served("ats_create_candidate"),
    **served("ats_create_application"),
    **unsupported("Bindbee has no job update endpoint", "ats_update_job"),
    **unsupported(_CANDIDATE_UPDATE_OUTSIDE_GREENHOUSE, "ats_update_candidate"),
    **unsupported(
        _APPLICATION_WRITES_OUTSIDE_GREENHOUSE,
        "ats_update_application",
        "ats_move_application",
        "ats_reject_application",
    ),
    **served("ats_create_candidate_note"),
    **served("ats_create_application_note", note=ON_THE_CANDIDATE),
    **served("ats_upload_application_document", note=ON_THE_CANDIDATE),
    **served("ats_download_application_document", note=ON_THE_CANDIDATE),
    **unsupported("Bindbee keeps no history of an application's changes", "ats_list_application_changes"),
    **unsupported("Bindbee's activities (notes) cannot be edited", "ats_update_application_note"),
    **unsupported("Bindbee has no notes on interviews", "ats_create_interview_note", "ats_update_interview_note"),
    **unsupported(
        "Bindbee documents no custom field definitions",
        *(
            f"ats_{verb}_{kind}_custom_field_definition{plural}"
            for kind in ("application", "candidate", "job")
            for verb, plural in (("list", "s"), ("get", ""))
        ),
    ),
    **unsupported("Bindbee has no lists of candidates", "ats_list_lists", "ats_get_list"),
    **unsupported("Bindbee has no job postings model", "ats_list_job_postings", "ats_get_job_posting"),
    **unsupported("Bindbee documents no request body for POST /api/ats/v1/offers", "ats_create_offer"),
    **unsupported(
        "Bindbee has no assessments API",
        "ats_list_assessments_packages",
        "ats_get_assessments_package",
        "ats_order_assessments_request",
        "ats_update_assessments_result",
    ),
    **unsupported(
        "Bindbee has no background checks API",
        "ats_list_background_check_packages",
        "ats_create_background_check_package",
        "ats_get_background_check_package",
        "ats_update_background_check_package",
        "ats_delete_background_check_package",
        "ats_order_background_check_request",
        "ats_update_background_check_result",
    ),
    **unsupported(
        "Bindbee's attachments carry a type, not a category it lists",
        "ats_list_application_document_categories",
        "ats_get_application_document_category",
    ),
}


@functools.cache
def _support(ats: str | None) -> Mapping[str, Support]:
    """Per ATS, computed once: every request asks."""
    table = dict(_SUPPORT)
    if ats == "greenhouse":
        for op_id in (
            "ats_update_candidate",
            "ats_update_application",
            "ats_move_application",
            "ats_reject_application",
        ):
            table.update(served(op_id))
    return MappingProxyType(table)


class BindbeeConnector(Connector):
    name: ClassVar[str] = "bindbee"
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization", "x-connector-token"})
    credentials: ClassVar[tuple[str, ...]] = ("api_key", "connector_token")
    quota_credential: ClassVar[str] = "connector_token"

    def support(self, account: AccountContext) -> Mapping[str, Support]:
        return _support(account.ats)

    def handler(self, operation: Operation) -> Handler:
        return _HANDLERS[operation.id]

    def rules(self, operation: Operation, account: AccountContext) -> Sequence[Rule]:
        greenhouse = _GREENHOUSE_RULES.get(operation.id, ()) if account.ats == "greenhouse" else ()
        return (*_RULES.get(operation.id, ()), *greenhouse)

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """Bindbee reads come from its synced copy, where a new record may not show yet: finding the record
        settles the question, not finding it never does. The natural key is a Bindbee filter, so the search is
        exact whatever the load."""
        code, email = getattr(call.body, "code", None), getattr(call.body, "email", None)
        if call.operation.id == "ats_create_job" and code:
            path, query = "/jobs", {"code": str(code)}
        elif call.operation.id == "ats_create_candidate" and email:
            path, query = "/candidates", {"email_addresses": str(email)}
        else:
            return None
        request = ProviderRequest("GET", BASE_PATH + path, headers_of(account), {**query, "page_size": "1"})

        def read(response: ProviderResponse) -> LookupResult:
            items = json_list(response, "items")
            if not items:
                return LookupResult(None, conclusive=False)
            return LookupResult(WriteResult(str(items[0]["id"]), items[0].get("remote_id")), conclusive=True)

        return one_request(request, read)

    def error_message(self, response: ProviderResponse) -> str | None:
        detail = response.body.get("detail") if isinstance(response.body, dict) else None
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):
            parts = [
                f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg')}"
                for item in detail
                if isinstance(item, dict)
            ]
            return "; ".join(parts) or None
        return None


def _candidate_envelope(body: Dto, job_id: str | None = None) -> dict[str, Any]:
    """Bindbee's `CreateCandidate`: the candidate in `data`, the acting user beside it."""
    data = CANDIDATE_TABLE.to_vendor(body)
    acting = data.pop("remote_user_id", None)
    if job_id is not None:
        data["job_id"] = job_id
    return {"data": data, **({"remote_user_id": acting} if acting else {})}


def _application_errors(body: ApplicationCreate) -> list[FieldError]:
    errors = []
    if (body.candidate_id is None) == (body.candidate is None):
        errors.append(
            FieldError(
                "candidate_id",
                "application.candidate",
                "give candidate_id or candidate, not both",
                code="validation_error",
            )
        )
    if body.job_id is None:
        errors.append(
            FieldError(
                "job_id", "required", "Bindbee puts a candidate on a job: give job_id", code="missing_required_field"
            )
        )
    unsupported_fields = {
        "job_posting_id": "Bindbee applications reference jobs, not job postings",
        "location_id": "Bindbee applications have no location",
        "application_status": "Bindbee sets the status itself",
        "questionnaires": "Bindbee applications take no questionnaire answers",
        "documents": "attach documents to the candidate instead",
    }
    for name, reason in unsupported_fields.items():
        if getattr(body, name) not in (None, []):
            errors.append(FieldError(name, "vendor.unsupported_field", reason, code="unsupported_field"))
    return errors
