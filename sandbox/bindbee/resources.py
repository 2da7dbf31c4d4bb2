"""Bindbee's ATS resources, one row each, as the excerpt documents them: the read model, the list filters, which
relations `expand` can open, and whether the create has a documented body.

The list and get routes, the query models (hence the sandbox's own OpenAPI) and the filtering are all built from
this table, so a filter is declared once and a test can hold the table to the excerpt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from sandbox.bindbee.models import (
    AtsActivity,
    AtsApplication,
    AtsAttachment,
    AtsCandidate,
    AtsDepartment,
    AtsEEOC,
    AtsJob,
    AtsJobInterviewStage,
    AtsOffer,
    AtsOffice,
    AtsRejectReason,
    AtsRemoteUser,
    AtsScheduledInterview,
    AtsScorecard,
    AtsScreeningQuestion,
    AtsTag,
)


@dataclass(frozen=True)
class Filter:
    """A list filter: the record field it reads and how the query value selects.

    `any_of`: comma-separated values, one of which the field holds (a list field: shares one); `equals`: the whole
    value (the filters Bindbee documents as a single id or a name); `emails`: the repeated array parameter, any
    address in common, case-insensitively; `has`: the value is one of the list field's entries.
    """

    field: str
    match: Literal["any_of", "equals", "emails", "has"] = "any_of"


@dataclass(frozen=True)
class Resource:
    path: str
    model: type[BaseModel]
    filters: Mapping[str, Filter] = field(default_factory=dict)
    relations: Mapping[str, str] = field(default_factory=dict)
    """Relation field → the resource it points into (what `expand` opens)."""
    remote_id: bool = True
    expand: bool = True
    undocumented_create: bool = True
    """Bindbee's spec declares no body for this resource's create (PROVENANCE.md); the sandbox refuses it."""


_USER = "remote-users"
RESOURCES: tuple[Resource, ...] = (
    Resource(
        "jobs",
        AtsJob,
        {"code": Filter("code", "equals"), "status": Filter("status", "equals"), "offices": Filter("offices")},
        {"departments": "departments", "offices": "offices", "hiring_managers": _USER, "recruiters": _USER},
        undocumented_create=False,
    ),
    Resource(
        "candidates",
        AtsCandidate,
        {
            "company": Filter("company", "equals"),
            "first_name": Filter("first_name", "equals"),
            "last_name": Filter("last_name", "equals"),
            "tag": Filter("tags", "has"),
            "email_addresses": Filter("email_addresses", "emails"),
        },
        {"applications": "applications", "attachments": "attachments"},
        undocumented_create=False,
    ),
    Resource(
        "applications",
        AtsApplication,
        relations={
            "candidate": "candidates",
            "job": "jobs",
            "credited_to": _USER,
            "current_stage": "job-interview-stages",
            "reject_reason": "reject-reasons",
        },
    ),
    Resource("departments", AtsDepartment),
    Resource("offices", AtsOffice),
    Resource(_USER, AtsRemoteUser),
    Resource(
        "activities",
        AtsActivity,
        {"user": Filter("user"), "candidate": Filter("candidate")},
        {"user": _USER, "candidate": "candidates"},
        undocumented_create=False,
    ),
    Resource("attachments", AtsAttachment, {"candidate": Filter("candidate")}, {"candidate": "candidates"}),
    Resource("eeocs", AtsEEOC, {"candidate": Filter("candidate")}, {"candidate": "candidates"}, remote_id=False),
    Resource("job-interview-stages", AtsJobInterviewStage, {"job": Filter("job")}, {"job": "jobs"}),
    Resource(
        "offers",
        AtsOffer,
        # Bindbee shows a single application id here, where its other filters take lists (ambiguity 5).
        {"application": Filter("application", "equals"), "creator": Filter("creator")},
        {"application": "applications", "creator": _USER},
    ),
    Resource("reject-reasons", AtsRejectReason, remote_id=False, expand=False),
    Resource(
        "scheduled-interviews",
        AtsScheduledInterview,
        {
            "application": Filter("application"),
            "organizer": Filter("organizer"),
            "job_interview_stage": Filter("job_interview_stage"),
        },
        {
            "application": "applications",
            "job_interview_stage": "job-interview-stages",
            "organizer": _USER,
            "interviewers": _USER,
        },
        remote_id=False,
    ),
    Resource(
        "scorecards",
        AtsScorecard,
        {
            "application": Filter("application", "equals"),
            "interview": Filter("interview"),
            "interviewer": Filter("interviewer"),
        },
        {"application": "applications", "interview": "scheduled-interviews", "interviewer": _USER},
        remote_id=False,
    ),
    Resource("screening-questions", AtsScreeningQuestion, {"job": Filter("job")}, {"job": "jobs"}, remote_id=False),
    Resource("tags", AtsTag, remote_id=False, expand=False),
)
BY_PATH = {r.path: r for r in RESOURCES}


class GetQuery(BaseModel):
    include_raw_data: bool = False
    include_custom_fields: bool = False


class GetExpandQuery(GetQuery):
    expand: str | None = None


class ListQuery(GetQuery):
    ids: str | None = None
    page_size: int = Field(50, ge=1, le=200)
    cursor: str | None = None
    modified_after: str | None = None


def _list_query(resource: Resource) -> type[ListQuery]:
    """The documented query parameters of the resource's list route, as one model (FastAPI's query models)."""
    fields: dict[str, Any] = {
        name: (list[str] | None if f.match == "emails" else str | None, None) for name, f in resource.filters.items()
    }
    if resource.remote_id:
        fields["remote_id"] = (str | None, None)
    if resource.expand:
        fields["expand"] = (str | None, None)
    name = "".join(part.title() for part in resource.path.split("-")) + "ListQuery"
    return create_model(name, __base__=ListQuery, **fields)


LIST_QUERIES = {r.path: _list_query(r) for r in RESOURCES}
"""Built once: every app the process creates (one per test harness) shares them."""


def list_query(resource: Resource) -> type[ListQuery]:
    return LIST_QUERIES[resource.path]


def get_query(resource: Resource) -> type[GetQuery]:
    return GetExpandQuery if resource.expand else GetQuery


def selects(resource: Resource, query: ListQuery, record: Mapping[str, Any]) -> bool:
    """Whether the record passes `ids`, `remote_id` and the resource's filters as the query sets them (unset
    filters pass; `modified_after` is the caller's, it needs parsing first)."""
    if query.ids and record["id"] not in query.ids.split(","):
        return False
    for name, spec in resource.filters.items():
        wanted = getattr(query, name)
        if wanted is None:
            continue
        value = record.get(spec.field)
        held = set(value) if isinstance(value, list) else {value}
        if spec.match == "equals":
            ok = value == wanted
        elif spec.match == "has":
            ok = wanted in held
        elif spec.match == "emails":
            ok = bool({w.strip().lower() for w in wanted} & {str(h).lower() for h in held})
        else:
            ok = bool(set(wanted.split(",")) & held)
        if not ok:
            return False
    remote = getattr(query, "remote_id", None)
    return remote is None or record.get("remote_id") == remote


def parse_expand(expand: str | None) -> dict[str, set[str] | None]:
    """`a,b[x,y]` → {a: None (every field), b: {x, y}}: commas inside brackets list the fields to keep."""
    out: dict[str, set[str] | None] = {}
    depth, start, text = 0, 0, expand or ""
    for i, char in enumerate(text + ","):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth <= 0:
            item, start = text[start:i].strip(), i + 1
            name, _, rest = item.partition("[")
            if name:
                out[name.strip()] = {f.strip() for f in rest.rstrip("]").split(",") if f.strip()} if rest else None
    return out
