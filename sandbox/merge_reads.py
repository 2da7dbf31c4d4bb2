"""Merge's read endpoints: the resources, their documented filters and expansions, and how a record is answered.

Query parameters are those Merge's document declares for each list (../shared/vendor/merge/ats.openapi.json);
any other is ignored, as Django REST Framework and django-filter ignore what they do not declare. Unreadable
dates are 400 `{"created_after": ["Enter a valid date/time."]}` and a value outside a filter's documented choices
400 `{"status": ["Select a valid choice. …"]}` (django-filter's messages); booleans read `true`/`1` (any case) as
true; `expand` names outside the documented relations are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args

from pydantic import BaseModel

from sandbox import merge_models as m
from sandbox.common import Tenant
from sandbox.merge_errors import invalid_parameter

Predicate = Callable[[Tenant, dict[str, Any], str], bool]
PRIVATE = "_origins"
"""Per record: the ATS's own value of each enum field, answered instead under `show_enum_origins`."""


@dataclass(frozen=True)
class Filter:
    keep: Predicate
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resource:
    model: type[BaseModel]
    filters: Mapping[str, Filter] = field(default_factory=dict)
    expands: Mapping[str, str] = field(default_factory=dict)
    """Relation field → the resource it points into."""
    enums: tuple[str, ...] = ()
    """Fields `show_enum_origins` (and the deprecated `remote_fields`) may name."""


def _equals(key: str) -> Filter:
    return Filter(lambda _, record, value: str(record.get(key)) == value)


def _listed(value: str) -> set[str]:
    return {v.strip() for v in value.split(",")}


def _any_of(key: str) -> Filter:
    """Comma-separated values, any of which may match (`offices`, `tags`)."""
    return Filter(lambda _, record, value: bool(_listed(value) & {str(v) for v in record.get(key) or []}))


def _email(_: Tenant, record: dict[str, Any], value: str) -> bool:
    # Addresses compare without case, as mail systems (and ATSes deduplicating on them) treat them.
    held = {str(e.get("value") or "").lower() for e in record.get("email_addresses") or []}
    return bool({v.lower() for v in _listed(value)} & held)


def _interview_job(tenant: Tenant, record: dict[str, Any], value: str) -> bool:
    application = tenant["applications"].get(str(record.get("application")))
    return application is not None and str(application.get("job")) == value


def _choice(key: str, choices: Any) -> Filter:
    return Filter(lambda _, record, value: record.get(key) == value, tuple(get_args(choices)))


RESOURCES: dict[str, Resource] = {
    "activities": Resource(
        m.Activity, {"user_id": _equals("user")}, {"user": "users"}, ("activity_type", "visibility")
    ),
    # Applications also document `expand=screening_question_answers[.question]`: the answers are objects already
    # and the sandbox holds no screening questions, so both leave the answer as it is.
    "applications": Resource(
        m.Application,
        {
            "candidate_id": _equals("candidate"),
            "credited_to_id": _equals("credited_to"),
            "current_stage_id": _equals("current_stage"),
            "job_id": _equals("job"),
            "reject_reason_id": _equals("reject_reason"),
            "source": _equals("source"),
        },
        {
            "candidate": "candidates",
            "credited_to": "users",
            "current_stage": "job-interview-stages",
            "job": "jobs",
            "offers": "offers",
            "reject_reason": "reject-reasons",
        },
    ),
    "attachments": Resource(
        m.Attachment, {"candidate_id": _equals("candidate")}, {"candidate": "candidates"}, ("attachment_type",)
    ),
    "candidates": Resource(
        m.Candidate,
        {
            "email_addresses": Filter(_email),
            "first_name": _equals("first_name"),
            "last_name": _equals("last_name"),
            "tags": _any_of("tags"),
        },
        {"applications": "applications", "attachments": "attachments"},
    ),
    "interviews": Resource(
        m.ScheduledInterview,
        {
            "application_id": _equals("application"),
            "job_id": Filter(_interview_job),
            "job_interview_stage_id": _equals("job_interview_stage"),
            "organizer_id": _equals("organizer"),
        },
        {
            "application": "applications",
            "job_interview_stage": "job-interview-stages",
            "interviewers": "users",
            "organizer": "users",
        },
        ("status",),
    ),
    "job-interview-stages": Resource(m.JobInterviewStage, {"job_id": _equals("job")}, {"job": "jobs"}),
    "reject-reasons": Resource(m.RejectReason),
    "offers": Resource(
        m.Offer,
        {"application_id": _equals("application"), "creator_id": _equals("creator")},
        {"application": "applications", "creator": "users"},
        ("status",),
    ),
    "scorecards": Resource(
        m.Scorecard,
        {
            "application_id": _equals("application"),
            "interview_id": _equals("interview"),
            "interviewer_id": _equals("interviewer"),
        },
        {"application": "applications", "interview": "interviews", "interviewer": "users"},
        ("overall_recommendation",),
    ),
    "job-postings": Resource(m.JobPosting, {"status": _choice("status", m.JobPostingStatus)}, {"job": "jobs"}),
    "users": Resource(m.RemoteUser, {"email": _equals("email")}, enums=("access_role",)),
    "departments": Resource(m.Department),
    "offices": Resource(m.Office),
    "jobs": Resource(
        m.Job,
        {"code": _equals("code"), "offices": _any_of("offices"), "status": _choice("status", m.JobStatus)},
        {
            "departments": "departments",
            "hiring_managers": "users",
            "job_postings": "job-postings",
            "offices": "offices",
            "recruiters": "users",
        },
        ("status",),
    ),
}

COMMON_PARAMETERS = (
    *("cursor", "page_size", "expand", "remote_id", "include_remote_data", "include_deleted_data"),
    *("show_enum_origins", "remote_fields", "created_after", "created_before", "modified_after", "modified_before"),
    "include_shell_data",  # accepted: the sandbox holds no shell records, so it changes nothing
)
"""What every list documents besides its own filters."""

_WINDOWS: dict[str, tuple[str, Callable[[datetime, datetime], bool]]] = {
    "created_after": ("created_at", lambda value, bound: value > bound),
    "created_before": ("created_at", lambda value, bound: value < bound),
    "modified_after": ("modified_at", lambda value, bound: value > bound),
    "modified_before": ("modified_at", lambda value, bound: value < bound),
}


def flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").lower() in ("true", "1")


def names(params: Mapping[str, str], name: str) -> set[str]:
    return {n for n in params.get(name, "").split(",") if n}


def _moment(name: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise invalid_parameter(name, "Enter a valid date/time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def matching(tenant: Tenant, kind: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """The records of `kind` a list request selects, in creation order; raises MergeError for unreadable filters."""
    resource = RESOURCES[kind]
    windows = [(key, test, _moment(name, params[name])) for name, (key, test) in _WINDOWS.items() if name in params]
    chosen = [(resource.filters[name], value) for name, value in params.items() if name in resource.filters]
    for name, value in params.items():
        choices = resource.filters[name].choices if name in resource.filters else ()
        if choices and value not in choices:
            raise invalid_parameter(name, f"Select a valid choice. {value} is not one of the available choices.")
    deleted = flag(params, "include_deleted_data")
    remote_id = params.get("remote_id")

    def keep(record: dict[str, Any]) -> bool:
        return (
            (deleted or not record["remote_was_deleted"])
            and (remote_id is None or record.get("remote_id") == remote_id)
            and all(test(datetime.fromisoformat(record[key]), bound) for key, test, bound in windows)
            and all(rule.keep(tenant, record, value) for rule, value in chosen)
        )

    return tenant[kind].find(keep)


def render(tenant: Tenant, kind: str, record: dict[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
    """A stored record as Merge answers it under these query parameters."""
    resource = RESOURCES[kind]
    remote = flag(params, "include_remote_data")
    out = {key: value for key, value in record.items() if key != PRIVATE}
    if not remote:
        out["remote_data"] = None
    origins = (names(params, "show_enum_origins") | names(params, "remote_fields")) & set(resource.enums)
    for name in origins & set(record.get(PRIVATE, {})):
        out[name] = record[PRIVATE][name]
    nested = {"include_remote_data": "true"} if remote else {}
    for relation in names(params, "expand") & set(resource.expands):
        target = resource.expands[relation]

        def expanded(ref: Any, target: str = target) -> Any:
            found = tenant[target].get(str(ref))
            return render(tenant, target, found, nested) if found is not None else ref

        value = out[relation]
        out[relation] = [expanded(v) for v in value] if isinstance(value, list) else expanded(value)
    return out
