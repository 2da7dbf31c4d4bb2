"""The operation catalogue: every unified operation, declared once.

One `Operation` per StackOne ATS operation: its operationId, method, path template, the query parameters and filters
StackOne documents for it, the request and response models, and the kind of answer. Routing, the OpenAPI
document, `/unified/ats/meta`, `docs/mappings.md`, capability checks, query validation and dry runs all read it;
connectors name the operations they serve by it. A test holds the catalogue to StackOne's own document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from connectors.unified import answers as a
from connectors.unified import schema as s
from connectors.unified import writes as w
from connectors.unified.base import Dto


class Answer(StrEnum):
    """How a successful call is answered, which fixes what the connector's plan returns."""

    WRITTEN = "written"
    """`{statusCode, message, timestamp, data: {id, remote_id}}` (creates, moves, rejections, some updates)."""
    ACKNOWLEDGED = "acknowledged"
    """`{statusCode, message, timestamp}` (updates and deletes StackOne answers without the record's ids)."""
    RECORD = "record"
    """`{data}`: one record."""
    PAGE = "page"
    """`{next, data}`: one page of records and the cursor of the next."""
    PLAIN = "plain"
    """A model answered as it is, without an envelope (assessment and background-check orders)."""
    FILE = "file"
    """A file's bytes with its content type (document download)."""


FilterKind = Literal["date-time", "text", "enum"]


@dataclass(frozen=True)
class Filter:
    """One `filter[...]` key StackOne documents for a list."""

    name: str
    kind: FilterKind = "text"
    choices: tuple[str, ...] = ()
    alias_of: str | None = None
    """A deprecated or duplicate spelling: read as that filter (both given and disagreeing is a 400)."""


UPDATED_AFTER = Filter("updated_after", "date-time")
CREATED_AFTER = Filter("created_after", "date-time")


@dataclass(frozen=True)
class Param:
    """One query parameter beyond the filters. `forwarded` ones mean something only to a vendor that documents
    them (StackOne): the gateway passes them on where the connector can, and refuses them where it cannot."""

    name: str
    kind: Literal["boolean", "integer", "text", "date-time", "object"] = "text"
    deprecated: bool = False
    alias_of: str | None = None
    """Read as this other parameter (`updated_after` → `filter[updated_after]`)."""
    forwarded: bool = False


RAW = Param("raw", "boolean")
FIELDS = Param("fields")
PROXY = Param("proxy", "object", forwarded=True)
PAGE_SIZE = Param("page_size", "integer")
NEXT = Param("next")
PAGE_NUMBER = Param("page", deprecated=True, forwarded=True)
TOP_UPDATED_AFTER = Param("updated_after", "date-time", deprecated=True, alias_of="filter[updated_after]")
SYNC_TOKEN = Param("sync_token", deprecated=True, forwarded=True)
EXPAND = Param("expand", forwarded=True)
INCLUDE = Param("include", forwarded=True)

_READ = (RAW, PROXY, FIELDS)
_LIST = (*_READ, PAGE_NUMBER, PAGE_SIZE, NEXT, TOP_UPDATED_AFTER)


@dataclass(frozen=True)
class Operation:
    id: str
    """StackOne's operationId (`ats_list_jobs`)."""
    method: str
    path: str
    """The path template, StackOne's: `/unified/ats/applications/{id}/notes/{subResourceId}`."""
    answer: Answer
    response: type[BaseModel]
    """StackOne's model of the success answer (its envelope), for the OpenAPI document and rendering."""
    record: type[Dto] | None = None
    """The record a RECORD or PAGE answer carries."""
    request: type[Dto] | None = None
    """The write body (StackOne's DTO with the gateway's extension fields)."""
    params: tuple[Param, ...] = ()
    filters: tuple[Filter, ...] = ()
    status: int = 200
    message: str = ""
    """What a WRITTEN or ACKNOWLEDGED answer says."""
    deprecated: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    filter_style: Literal["deepObject", "form"] = "deepObject"
    """How StackOne's document serialises `filter`: `filter[updated_after]=…`, or (two operations) `updated_after=…`."""

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))

    @property
    def resource(self) -> str:
        """The first segment after `/unified/ats/`, for logs and metrics."""
        return self.path.split("/")[3]

    @property
    def collection(self) -> str:
        """What the operation reads or writes, without its ids: `applications/notes` for an application's notes."""
        return "/".join(part for part in self.path.split("/")[3:] if not part.startswith("{"))

    def __str__(self) -> str:
        return self.id


def _list(
    op_id: str,
    path: str,
    response: type[BaseModel],
    record: type[Dto],
    *filters: Filter,
    params: tuple[Param, ...] = (),
    sync: bool = True,
    deprecated: bool = False,
    filter_style: Literal["deepObject", "form"] = "deepObject",
) -> Operation:
    listed = (*_LIST, *((SYNC_TOKEN,) if sync else ()), *params)
    return Operation(
        op_id,
        "GET",
        path,
        Answer.PAGE,
        response,
        record,
        None,
        listed,
        (UPDATED_AFTER, *filters),
        deprecated=deprecated,
        filter_style=filter_style,
    )


def _get(
    op_id: str,
    path: str,
    response: type[BaseModel],
    record: type[Dto],
    params: tuple[Param, ...] = (),
    filters: tuple[Filter, ...] = (),
    deprecated: bool = False,
) -> Operation:
    return Operation(
        op_id, "GET", path, Answer.RECORD, response, record, None, (*_READ, *params), filters, deprecated=deprecated
    )


def _write(
    op_id: str,
    method: str,
    path: str,
    request: type[Dto] | None,
    response: type[BaseModel] = a.CreateResult,
    status: int = 201,
    message: str = "Record created successfully.",
) -> Operation:
    answer = Answer.WRITTEN if "data" in response.model_fields else Answer.ACKNOWLEDGED
    if "statusCode" not in response.model_fields:
        answer = Answer.PLAIN
    return Operation(op_id, method, path, answer, response, None, request, status=status, message=message)


def _update(op_id: str, path: str, request: type[Dto], response: type[BaseModel] = a.UpdateResult) -> Operation:
    return _write(op_id, "PATCH", path, request, response, 200, "Record updated successfully.")


def _references(
    op_id: str, path: str, paginated: type[BaseModel], result: type[BaseModel], record: type[Dto]
) -> tuple[Operation, Operation]:
    """A list and a get of reference data: `{path}` and `{path}/{id}`."""
    return _list(f"ats_list_{op_id}s", path, paginated, record), _get(
        f"ats_get_{op_id}", f"{path}/{{id}}", result, record
    )


def _custom_field_definitions(kind: str, singular: str) -> tuple[Operation, Operation]:
    """StackOne documents paging parameters even on the get of one definition; they are accepted as documented."""
    path = f"/unified/ats/custom_field_definitions/{kind}"
    listed = _list(
        f"ats_list_{singular}_custom_field_definitions",
        path,
        s.CustomFieldDefinitionsPaginated,
        s.CustomFieldDefinition,
        sync=False,
    )
    one = _get(
        f"ats_get_{singular}_custom_field_definition",
        f"{path}/{{id}}",
        s.CustomFieldDefinitionResultApiModel,
        s.CustomFieldDefinition,
        (PAGE_NUMBER, PAGE_SIZE, NEXT, TOP_UPDATED_AFTER),
        (UPDATED_AFTER,),
    )
    return listed, one


APPS = "/unified/ats/applications"
APP = f"{APPS}/{{id}}"
CANDIDATES = "/unified/ats/candidates"
JOBS = "/unified/ats/jobs"
SUB = "{subResourceId}"
MOVED = "Application moved successfully."
REJECTED = "Application rejected successfully."
DELETED = "Record deleted successfully."

OPERATIONS: tuple[Operation, ...] = (
    # applications
    _list(
        "ats_list_applications",
        APPS,
        s.ApplicationsPaginated,
        s.Application,
        CREATED_AFTER,
        Filter("job_id"),
        Filter("stage", alias_of="application_stage_id"),
        Filter("application_stage_id"),
        params=(EXPAND, INCLUDE, Param("job_id", deprecated=True, alias_of="filter[job_id]")),
    ),
    _write("ats_create_application", "POST", APPS, w.ApplicationCreate),
    _get("ats_get_application", APP, s.ApplicationResult, s.Application, (EXPAND, INCLUDE)),
    _update("ats_update_application", APP, w.ApplicationUpdate),
    _list("ats_list_applications_offers", f"{APP}/offers", s.OffersPaginated, s.Offer),
    _write("ats_move_application", "POST", f"{APP}/move", w.ApplicationMove, a.MoveApplicationResult, 200, MOVED),
    _write(
        "ats_reject_application", "POST", f"{APP}/reject", w.ApplicationReject, a.RejectApplicationResult, 200, REJECTED
    ),
    _get("ats_get_application_offer", f"{APP}/offers/{SUB}", s.OffersResult, s.Offer),
    _list("ats_list_application_scorecards", f"{APP}/scorecards", s.ScorecardsPaginated, s.Scorecard),
    _get("ats_get_application_scorecard", f"{APP}/scorecards/{SUB}", s.ScorecardsResult, s.Scorecard),
    Operation(
        "ats_list_application_changes",
        "GET",
        f"{APP}/changes",
        Answer.PAGE,
        s.ApplicationChangesPaginated,
        s.ApplicationChanges,
        params=(*_READ, PAGE_SIZE, NEXT),
        filters=(
            CREATED_AFTER,
            Filter(
                "change_type", "enum", ("application_status", "interview_stage", "rejected_reasons", "unmapped_value")
            ),
        ),
    ),
    _list("ats_list_application_notes", f"{APP}/notes", s.NotesPaginated, s.Note),
    _write("ats_create_application_note", "POST", f"{APP}/notes", w.NoteCreate),
    _get("ats_get_application_note", f"{APP}/notes/{SUB}", s.NoteResult, s.Note),
    _update("ats_update_application_note", f"{APP}/notes/{SUB}", w.NoteUpdate),
    _list(
        "ats_list_applications_scheduled_interviews",
        f"{APP}/scheduled_interviews",
        s.ScheduledInterviewsPaginated,
        s.ScheduledInterview,
    ),
    _get(
        "ats_get_application_scheduled_interview",
        f"{APP}/scheduled_interviews/{SUB}",
        s.ScheduledInterviewsResult,
        s.ScheduledInterview,
    ),
    _write(
        "ats_upload_application_document", "POST", f"{APP}/documents/upload", w.DocumentUpload, s.WriteResultApiModel
    ),
    Operation(
        "ats_download_application_document",
        "GET",
        f"{APP}/documents/{SUB}/download",
        Answer.FILE,
        s.DownloadApiModel,
        params=(Param("format", forwarded=True), Param("export_format", forwarded=True)),
    ),
    _list(
        "ats_list_application_documents",
        f"{APP}/documents",
        s.AtsDocumentsPaginated,
        s.AtsDocumentApiModel,
        Filter("type"),
    ),
    _get("ats_get_application_document", f"{APP}/documents/{SUB}", s.AtsDocumentResult, s.AtsDocumentApiModel),
    # candidates
    _list(
        "ats_list_candidates",
        CANDIDATES,
        s.CandidatesPaginated,
        s.Candidate,
        CREATED_AFTER,
        Filter("email"),
        params=(INCLUDE,),
    ),
    _write("ats_create_candidate", "POST", CANDIDATES, w.CandidateCreate),
    _get("ats_get_candidate", f"{CANDIDATES}/{{id}}", s.CandidateResult, s.Candidate, (INCLUDE,)),
    _update("ats_update_candidate", f"{CANDIDATES}/{{id}}", w.CandidateUpdate, a.CreateResult),
    _list("ats_list_candidate_notes", f"{CANDIDATES}/{{id}}/notes", s.NotesPaginated, s.Note),
    _write("ats_create_candidate_note", "POST", f"{CANDIDATES}/{{id}}/notes", w.NoteCreate),
    _get("ats_get_candidate_note", f"{CANDIDATES}/{{id}}/notes/{SUB}", s.NoteResult, s.Note),
    # custom field definitions
    *_custom_field_definitions("applications", "application"),
    *_custom_field_definitions("candidates", "candidate"),
    *_custom_field_definitions("jobs", "job"),
    # reference data and stages
    *_references("department", "/unified/ats/departments", s.DepartmentsPaginated, s.DepartmentResult, s.Department),
    _list(
        "ats_list_interview_stages",
        "/unified/ats/interview_stages",
        s.InterviewStagesPaginated,
        s.InterviewStage,
        deprecated=True,
    ),
    _get(
        "ats_get_interview_stage",
        "/unified/ats/interview_stages/{id}",
        s.InterviewStageResult,
        s.InterviewStage,
        deprecated=True,
    ),
    _list(
        "ats_list_application_stages", "/unified/ats/application_stages", s.InterviewStagesPaginated, s.InterviewStage
    ),
    _get("ats_get_application_stage", "/unified/ats/application_stages/{id}", s.InterviewStageResult, s.InterviewStage),
    # interviews
    _list("ats_list_interviews", "/unified/ats/interviews", s.InterviewsPaginated, s.Interview, CREATED_AFTER),
    _get("ats_get_interview", "/unified/ats/interviews/{id}", s.InterviewsResult, s.Interview),
    _write("ats_create_interview_note", "POST", "/unified/ats/interviews/{id}/notes", w.NoteCreate),
    _update("ats_update_interview_note", f"/unified/ats/interviews/{{id}}/notes/{SUB}", w.NoteUpdate),
    # jobs
    _list(
        "ats_list_jobs",
        JOBS,
        s.AtsJobsPaginated,
        s.AtsJob,
        CREATED_AFTER,
        Filter("status", "enum", ("open", "draft"), alias_of="job_status"),
        Filter("job_status", "enum", ("open", "draft")),
        params=(EXPAND, INCLUDE),
    ),
    _write("ats_create_job", "POST", JOBS, w.JobWrite),
    _list(
        "ats_list_job_application_stages",
        f"{JOBS}/{{id}}/application_stages",
        s.ApplicationStagesPaginated,
        s.ApplicationStage,
    ),
    _get("ats_get_job", f"{JOBS}/{{id}}", s.AtsJobResult, s.AtsJob, (EXPAND, INCLUDE)),
    _update("ats_update_job", f"{JOBS}/{{id}}", w.JobWrite, a.CreateResult),
    _get(
        "ats_get_job_application_stage",
        f"{JOBS}/{{id}}/application_stages/{SUB}",
        s.ApplicationStageResult,
        s.ApplicationStage,
    ),
    # lists, locations, rejected reasons, users, job postings
    _list("ats_list_lists", "/unified/ats/lists", s.ListsPaginated, s.List, sync=False),
    _get("ats_get_list", "/unified/ats/lists/{id}", s.ListResult, s.List),
    *_references("location", "/unified/ats/locations", s.ATSLocationsPaginated, s.ATSLocationResult, s.ATSLocation),
    *_references(
        "rejected_reason",
        "/unified/ats/rejected_reasons",
        s.RejectedReasonsPaginated,
        s.RejectedReasonResult,
        s.RejectedReason,
    ),
    *_references("user", "/unified/ats/users", s.UsersPaginated, s.UserResult, s.User),
    _list(
        "ats_list_job_postings",
        "/unified/ats/job_postings",
        s.JobPostingsPaginated,
        s.JobPosting,
        CREATED_AFTER,
        params=(INCLUDE,),
    ),
    _get("ats_get_job_posting", "/unified/ats/job_postings/{id}", s.JobPostingResult, s.JobPosting, (INCLUDE,)),
    # offers
    _list("ats_list_offers", "/unified/ats/offers", s.OffersPaginated, s.Offer),
    _write("ats_create_offer", "POST", "/unified/ats/offers", w.OfferCreate),
    _get("ats_get_offer", "/unified/ats/offers/{id}", s.OffersResult, s.Offer),
    # assessments
    _list(
        "ats_list_assessments_packages",
        "/unified/ats/assessments/packages",
        s.AssessmentPackagePaginated,
        s.AssessmentPackage,
        sync=False,
        filter_style="form",
    ),
    _get(
        "ats_get_assessments_package",
        "/unified/ats/assessments/packages/{id}",
        s.AssessmentPackageResult,
        s.AssessmentPackage,
    ),
    _write(
        "ats_order_assessments_request",
        "POST",
        "/unified/ats/assessments/orders",
        w.AssessmentOrder,
        s.CreateAssessmentOrderResult,
        200,
    ),
    _update("ats_update_assessments_result", "/unified/ats/assessments/orders/{id}/result", w.AssessmentResult),
    # background checks
    _list(
        "ats_list_background_check_packages",
        "/unified/ats/background_checks/packages",
        s.BackgroundCheckPackagePaginated,
        s.BackgroundCheckPackage,
        sync=False,
        filter_style="form",
    ),
    _write(
        "ats_create_background_check_package",
        "POST",
        "/unified/ats/background_checks/packages",
        w.BackgroundCheckPackageCreate,
    ),
    _get(
        "ats_get_background_check_package",
        "/unified/ats/background_checks/packages/{id}",
        s.BackgroundCheckPackageResult,
        s.BackgroundCheckPackage,
    ),
    _update(
        "ats_update_background_check_package",
        "/unified/ats/background_checks/packages/{id}",
        w.BackgroundCheckPackageUpdate,
    ),
    _write(
        "ats_delete_background_check_package",
        "DELETE",
        "/unified/ats/background_checks/packages/{id}",
        None,
        a.DeleteResult,
        200,
        DELETED,
    ),
    _write(
        "ats_order_background_check_request",
        "POST",
        "/unified/ats/background_checks/orders",
        w.BackgroundCheckOrder,
        s.CreateBackgroundCheckOrderResult,
        200,
    ),
    _update(
        "ats_update_background_check_result",
        "/unified/ats/background_checks/orders/{id}/result",
        w.BackgroundCheckResult,
    ),
    # documents
    _list(
        "ats_list_application_document_categories",
        "/unified/ats/documents/application_categories",
        s.ReferencePaginated,
        s.Reference,
        sync=False,
    ),
    _get(
        "ats_get_application_document_category",
        "/unified/ats/documents/application_categories/{id}",
        s.ReferenceResult,
        s.Reference,
    ),
)


class Catalogue(Mapping[str, Operation]):
    """The operations by operationId, in declaration order."""

    def __init__(self, operations: tuple[Operation, ...]) -> None:
        self._by_id = {op.id: op for op in operations}
        if len(self._by_id) != len(operations):
            raise ValueError("two operations share an operationId")

    def __getitem__(self, op_id: str) -> Operation:
        return self._by_id[op_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


CATALOGUE = Catalogue(OPERATIONS)
