"""Merge's writes: bodies validated by the sandbox's models of Merge's request schemas, the ATS's rules applied
(merge_integrations), and the answer Merge documents.

- A field Merge does not know, anywhere in the body, and a field the ATS cannot take, are left out of the write
  with an UNSUPPORTED_FIELD warning ("…not supported in Candidate POST Requests to Greenhouse: stage",
  docs.merge.dev troubleshooting-writes).
- A value of the wrong type that converts (`"true"` for a boolean, `5` for a string) is converted with an
  INCORRECT_FIELD_TYPE warning; one that does not is an INCORRECT_FIELD_TYPE error; a value outside an enum is
  INVALID_FIELD_CHOICE; a missing required field (Merge's or the ATS's) MISSING_REQUIRED_FIELD; an id that names no
  record of the linked account ERROR (warnings-and-errors reference).
- Errors answer 400 `{warnings, errors}` and write nothing; success answers `{model, warnings, errors}` (201 for
  POST, 200 for PATCH), with `logs` under `is_debug_mode=true`. `run_async` is accepted and the write made at once.
"""

from __future__ import annotations

import json
import types
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sandbox import merge_models as m
from sandbox.merge_errors import pointer, problem, write_failed
from sandbox.merge_integrations import Operation, integration, rules
from sandbox.merge_reads import RESOURCES, render
from sandbox.merge_store import Records, stamp

Problems = list[dict[str, Any]]
Builder = Callable[[Records, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
"""(records, validated model fields, the record a PATCH changes) → the stored record."""


def _no_rule(_: Records, __: Mapping[str, Any]) -> Problems:
    return []


@dataclass(frozen=True)
class Write:
    kind: str
    operation: Operation
    envelope: type[BaseModel]
    build: Builder
    refs: Mapping[str, str] = field(default_factory=dict)
    """Model field → the resource its ids must name."""
    consistent: Callable[[Records, Mapping[str, Any]], Problems] = _no_rule
    """Rules across fields, checked once every id names a record."""
    status: int = 201

    @property
    def request(self) -> type[BaseModel]:
        found = _nested(self.envelope.model_fields["model"].annotation)
        assert found is not None
        return found


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, itself or in a list, optional or not."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, types.UnionType):
        return next((found for arg in get_args(annotation) if (found := _nested(arg)) is not None), None)
    return None


def _known_only(data: Any, model: type[BaseModel], at: tuple[str | int, ...], warn: Callable[[str, str], None]) -> Any:
    """`data` without the keys `model` does not declare (each one warned about), nested models included."""
    if not isinstance(data, dict):
        return data
    kept = {}
    for key, value in data.items():
        declared = model.model_fields.get(key)
        if declared is None:
            warn(key, pointer(*at, key))
            continue
        inner = _nested(declared.annotation)
        if inner is not None and isinstance(value, list):
            kept[key] = [_known_only(v, inner, (*at, key, i), warn) for i, v in enumerate(value)]
        elif inner is not None:
            kept[key] = _known_only(value, inner, (*at, key), warn)
        else:
            kept[key] = value
    return kept


def _problems(error: ValidationError) -> Problems:
    found = []
    for e in error.errors():
        where, name = pointer(*e["loc"]), str(e["loc"][-1]) if e["loc"] else "body"
        if e["type"] == "missing":
            found.append(problem("MISSING_REQUIRED_FIELD", where, f"{name} is a required field."))
        elif e["type"] in ("literal_error", "enum"):
            found.append(problem("INVALID_FIELD_CHOICE", where, f"{name}: {e['msg']}."))
        else:
            found.append(problem("INCORRECT_FIELD_TYPE", where, f"{name}: {e['msg']}."))
    return found


def _converted(error: ValidationError) -> Problems:
    return [
        problem("INCORRECT_FIELD_TYPE", pointer(*e["loc"]), f"{e['loc'][-1]}: {e['msg']}; the value was converted.")
        for e in error.errors()
    ]


def validate(
    envelope: type[BaseModel], body: Any, ats: str, operation: Operation, wrapped: bool = True
) -> tuple[BaseModel | None, Problems, Problems]:
    """(the validated body, or None when there are errors; warnings; errors) for a write on `ats`.

    `wrapped`: the fields are under `model` (every `…EndpointRequest`), or at the top (change-stage)."""
    warnings: Problems = []
    model_name, method = operation
    at: tuple[str, ...] = ("model",) if wrapped else ()

    def unsupported(name: str, where: str) -> None:
        text = f"This request contained a field that is not supported in {model_name} {method} Requests to "
        warnings.append(problem("UNSUPPORTED_FIELD", where, f"{text}{integration(ats).name}: {name}"))

    if not isinstance(body, dict):
        return None, warnings, [problem("INCORRECT_FIELD_TYPE", "", "The request body must be a JSON object.")]
    clean = _known_only(body, envelope, (), unsupported)
    fields = clean.get("model") if wrapped else clean
    applying = rules(ats, operation)
    if isinstance(fields, dict):
        for name in sorted(applying.unsupported & set(fields)):
            del fields[name]
            unsupported(name, pointer(*at, name))
    raw = json.dumps(clean)
    try:
        validated = envelope.model_validate_json(raw, strict=True)
    except ValidationError as strict:
        try:
            validated = envelope.model_validate_json(raw)
        except ValidationError as lax:
            return None, warnings, _problems(lax)
        warnings += _converted(strict)
    given = validated.model_dump(exclude_unset=True)
    values = given.get("model", {}) if wrapped else given
    errors = [
        problem("MISSING_REQUIRED_FIELD", pointer(*at, name), f"{name} is a required field on model.")
        for name in sorted(applying.required)
        if values.get(name) in (None, "", [])
    ]
    return (None if errors else validated), warnings, errors


def check_refs(records: Records, values: Mapping[str, Any], refs: Mapping[str, str], *at: str) -> Problems:
    """An ERROR for each id that names no record of the linked account."""
    errors = []
    for name, kind in refs.items():
        value = values.get(name)
        listed = value if isinstance(value, list) else [value]
        for i, ref in enumerate(listed):
            if ref is not None and records.tenant[kind].get(str(ref)) is None:
                where = pointer(*at, name, i) if isinstance(value, list) else pointer(*at, name)
                label = RESOURCES[kind].model.__name__
                errors.append(problem("ERROR", where, f"No {label} with id {ref} in this linked account."))
    return errors


def stage_of(records: Records, stage: Any, job: Any) -> bool:
    found = records.tenant["job-interview-stages"].get(str(stage))
    return found is not None and found["job"] == str(job)


_WRITE_ONLY = ("integration_params", "linked_account_params", "remote_template_id")


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a record keeps: Merge's write-only ones steer the write and are not answered."""
    return {k: v for k, v in fields.items() if k not in _WRITE_ONLY}


def _contacts(records: Records, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [records.contact(_stored(item)) for item in items]


def _candidate(records: Records, fields: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    now = stamp(records.clock.now())
    changes = _stored(fields)
    for key in ("email_addresses", "phone_numbers", "urls"):
        if key in changes:
            changes[key] = _contacts(records, changes[key])
    if current is not None:
        return records.update("candidates", current, {**changes, "remote_updated_at": now})
    return records.add("candidates", {**changes, "remote_created_at": now, "remote_updated_at": now})


def _application(records: Records, fields: dict[str, Any], _: dict[str, Any] | None) -> dict[str, Any]:
    data = _stored(fields)
    if data.get("current_stage") is None:
        # Like the ATSes behind Merge, a new application starts in the job's first stage.
        stages = records.tenant["job-interview-stages"].find(lambda s: s["job"] == str(data["job"]))
        data["current_stage"] = min(stages, key=lambda s: s["stage_order"])["id"] if stages else None
    data["applied_at"] = data.get("applied_at") or stamp(records.clock.now())
    data["screening_question_answers"] = [
        {**records.contact(_stored(answer)), "id": str(uuid.uuid4())}
        for answer in data.get("screening_question_answers", [])
    ]
    record = records.add("applications", data)
    candidate = records.tenant["candidates"].records[str(data["candidate"])]
    records.update("candidates", candidate, {"applications": [*candidate["applications"], record["id"]]})
    return record


def _attachment(records: Records, fields: dict[str, Any], _: dict[str, Any] | None) -> dict[str, Any]:
    record = records.add("attachments", _stored(fields))
    candidate = records.tenant["candidates"].records[str(fields["candidate"])]
    records.update("candidates", candidate, {"attachments": [*candidate["attachments"], record["id"]]})
    return record


def _activity(records: Records, fields: dict[str, Any], _: dict[str, Any] | None) -> dict[str, Any]:
    return records.add("activities", {**_stored(fields), "remote_created_at": stamp(records.clock.now())})


def _interview(records: Records, fields: dict[str, Any], _: dict[str, Any] | None) -> dict[str, Any]:
    now = stamp(records.clock.now())
    data = {"status": "SCHEDULED", **_stored(fields)}
    return records.add("interviews", {**data, "remote_created_at": now, "remote_updated_at": now})


def _stage_on_job(records: Records, fields: Mapping[str, Any]) -> Problems:
    if fields.get("current_stage") is None or stage_of(records, fields["current_stage"], fields.get("job")):
        return []
    return [problem("ERROR", pointer("model", "current_stage"), "The stage is not one of the job's stages.")]


def _stage_on_application(records: Records, fields: Mapping[str, Any]) -> Problems:
    application = records.tenant["applications"].get(str(fields.get("application")))
    stage = fields.get("job_interview_stage")
    if stage is None or application is None or stage_of(records, stage, application["job"]):
        return []
    where = pointer("model", "job_interview_stage")
    return [problem("ERROR", where, "The stage is not one of the application's job's stages.")]


STAGE_CHANGE: Operation = ("Application", "change-stage")
_CANDIDATE_REFS = {"applications": "applications", "attachments": "attachments"}
UPDATE_CANDIDATE = Write(
    "candidates", ("Candidate", "PATCH"), m.PatchedCandidateEndpointRequest, _candidate, _CANDIDATE_REFS, status=200
)
CREATES: dict[str, Write] = {
    "candidates": Write("candidates", ("Candidate", "POST"), m.CandidateEndpointRequest, _candidate, _CANDIDATE_REFS),
    "applications": Write(
        "applications",
        ("Application", "POST"),
        m.ApplicationEndpointRequest,
        _application,
        {
            "candidate": "candidates",
            "job": "jobs",
            "offers": "offers",
            "credited_to": "users",
            "current_stage": "job-interview-stages",
            "reject_reason": "reject-reasons",
        },
        _stage_on_job,
    ),
    "attachments": Write(
        "attachments", ("Attachment", "POST"), m.AttachmentEndpointRequest, _attachment, {"candidate": "candidates"}
    ),
    "activities": Write(
        "activities",
        ("Activity", "POST"),
        m.ActivityEndpointRequest,
        _activity,
        {"user": "users", "candidate": "candidates"},
    ),
    "interviews": Write(
        "interviews",
        ("ScheduledInterview", "POST"),
        m.ScheduledInterviewEndpointRequest,
        _interview,
        {
            "application": "applications",
            "job_interview_stage": "job-interview-stages",
            "organizer": "users",
            "interviewers": "users",
        },
        _stage_on_application,
    ),
}


def debug_logs(records: Records, write: Write) -> list[dict[str, Any]]:
    """What debug mode adds: the call Merge made to the ATS for this write."""
    log_id = str(uuid.uuid4())
    summary = {"url": records.remote_url(write.kind), "method": write.operation[1], "status_code": write.status}
    return [{"log_id": log_id, "dashboard_view": f"https://app.merge.dev/logs/{log_id}", "log_summary": summary}]


def perform(
    records: Records, write: Write, body: Any, debug: bool, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validate and make one write: the `…Response` answer, or MergeError carrying Merge's problems."""
    validated, warnings, errors = validate(write.envelope, body, records.tenant.ats, write.operation)
    if validated is None:
        raise write_failed(warnings, errors)
    given = validated.model_dump(mode="json", exclude_unset=True)
    fields = given["model"]
    errors = check_refs(records, given, {"remote_user_id": "users"}) + check_refs(records, fields, write.refs, "model")
    if not errors:
        errors = write.consistent(records, fields)
    if errors:
        raise write_failed(warnings, errors)
    record = write.build(records, fields, current)
    answer = {"model": render(records.tenant, write.kind, record, {}), "warnings": warnings, "errors": []}
    if debug:
        answer["logs"] = debug_logs(records, write)
    return answer


def change_stage(records: Records, application: dict[str, Any], body: Any) -> dict[str, Any]:
    """`POST /applications/{id}/change-stage`: the flat UpdateApplicationStageRequest (its body optional)."""
    ats = records.tenant.ats
    validated, warnings, errors = validate(
        m.UpdateApplicationStageRequest, {} if body is None else body, ats, STAGE_CHANGE, wrapped=False
    )
    if validated is None:
        raise write_failed(warnings, errors)
    given = validated.model_dump(mode="json", exclude_unset=True)
    stage = given["job_interview_stage"]
    errors = check_refs(records, given, {"remote_user_id": "users"})
    if not stage_of(records, stage, application["job"]):
        errors.append(problem("ERROR", pointer("job_interview_stage"), "The stage is not one of the job's stages."))
    if application.get("rejected_at") is not None and not integration(ats).moves_rejected:
        text = f"{integration(ats).name} moves active applications only; this one was rejected."
        errors.append(problem("ERROR", pointer("job_interview_stage"), text))
    if errors:
        raise write_failed(warnings, errors)
    record = records.update("applications", application, {"current_stage": stage})
    return {"model": render(records.tenant, "applications", record, {}), "warnings": warnings, "errors": []}


def _plain(node: dict[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema the way Merge's `/meta` writes one: references inlined, nulls and titles left out."""
    if "$ref" in node:
        return _plain(defs[node["$ref"].rsplit("/", 1)[1]], defs)
    branches = [b for b in node.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        return _plain({**{k: v for k, v in node.items() if k != "anyOf"}, **branches[0]}, defs)
    out = {k: v for k, v in node.items() if k in ("type", "format", "enum", "maxLength", "minLength")}
    if "items" in node:
        out["items"] = _plain(node["items"], defs)
    if "properties" in node:
        out["properties"] = {name: _plain(prop, defs) for name, prop in node["properties"].items()}
    return out


def request_schema(write: Write, ats: str) -> dict[str, Any]:
    """`request_schema` of `/meta/post` (or `/meta/patch`): the model's writable fields on this linked account."""
    full = write.envelope.model_json_schema()
    defs = full.get("$defs", {})
    model = _plain(defs[write.request.__name__], defs)
    applying = rules(ats, write.operation)
    model["properties"] = {k: v for k, v in model["properties"].items() if k not in applying.unsupported}
    model["required"] = sorted(applying.required)
    return {
        "type": "object",
        "properties": {"model": model, "remote_user_id": {"type": "string"}},
        "required": ["model", "remote_user_id"],
    }


def meta(write: Write, ats: str) -> dict[str, Any]:
    return m.MetaResponse(
        request_schema=request_schema(write, ats),
        remote_field_classes={},
        status=m.LinkedAccountStatus(linked_account_status="COMPLETE", can_make_request=True),
        has_conditional_params=False,
        has_required_linked_account_params=False,
    ).model_dump(mode="json")
