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
    )


def _get(
    op_id: str,
    path: str,
    response: type[BaseModel],
    record: type[Dto],
    params: tuple[Param, ...] = (),
    deprecated: bool = False,
) -> Operation:
    return Operation(
        op_id, "GET", path, Answer.RECORD, response, record, None, (*_READ, *params), deprecated=deprecated
    )


def _write(
    op_id: str,
    method: str,
    path: str,
    request: type[Dto] | None,
    response: type[BaseModel] = s.CreateResult,
    status: int = 201,
    message: str = "Record created successfully.",
) -> Operation:
    answer = Answer.WRITTEN if "data" in response.model_fields else Answer.ACKNOWLEDGED
    if "statusCode" not in response.model_fields:
        answer = Answer.PLAIN
    return Operation(op_id, method, path, answer, response, None, request, status=status, message=message)


def _update(op_id: str, path: str, request: type[Dto], response: type[BaseModel] = s.UpdateResult) -> Operation:
    return _write(op_id, "PATCH", path, request, response, 200, "Record updated successfully.")


APPS = "/unified/ats/applications"
CANDIDATES = "/unified/ats/candidates"
JOBS = "/unified/ats/jobs"

OPERATIONS: tuple[Operation, ...] = (
    # jobs
    _list(
        "ats_list_jobs",
        JOBS,
        s.AtsJobsPaginated,
        s.AtsJob,
        CREATED_AFTER,
        Filter("job_status", "enum", ("open", "draft")),
        Filter("status", "enum", ("open", "draft"), alias_of="job_status"),
        params=(EXPAND, INCLUDE),
    ),
    _get("ats_get_job", f"{JOBS}/{{id}}", s.AtsJobResult, s.AtsJob, (EXPAND, INCLUDE)),
    _write("ats_create_job", "POST", JOBS, w.JobWrite),
    _update("ats_update_job", f"{JOBS}/{{id}}", w.JobWrite, s.CreateResult),
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
    _get("ats_get_candidate", f"{CANDIDATES}/{{id}}", s.CandidateResult, s.Candidate, (INCLUDE,)),
    _write("ats_create_candidate", "POST", CANDIDATES, w.CandidateCreate),
    _update("ats_update_candidate", f"{CANDIDATES}/{{id}}", w.CandidateUpdate, s.CreateResult),
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
    _get("ats_get_application", f"{APPS}/{{id}}", s.ApplicationResult, s.Application, (EXPAND, INCLUDE)),
    _write("ats_create_application", "POST", APPS, w.ApplicationCreate),
    # assessments
    _write(
        "ats_order_assessments_request",
        "POST",
        "/unified/ats/assessments/orders",
        w.AssessmentOrder,
        s.CreateAssessmentOrderResult,
        200,
    ),
    # reference data
    _list("ats_list_departments", "/unified/ats/departments", s.DepartmentsPaginated, s.Department),
    _get("ats_get_department", "/unified/ats/departments/{id}", s.DepartmentResult, s.Department),
    _list("ats_list_locations", "/unified/ats/locations", s.ATSLocationsPaginated, s.ATSLocation),
    _get("ats_get_location", "/unified/ats/locations/{id}", s.ATSLocationResult, s.ATSLocation),
    _list("ats_list_rejected_reasons", "/unified/ats/rejected_reasons", s.RejectedReasonsPaginated, s.RejectedReason),
    _get("ats_get_rejected_reason", "/unified/ats/rejected_reasons/{id}", s.RejectedReasonResult, s.RejectedReason),
    _list("ats_list_users", "/unified/ats/users", s.UsersPaginated, s.User),
    _get("ats_get_user", "/unified/ats/users/{id}", s.UserResult, s.User),
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
