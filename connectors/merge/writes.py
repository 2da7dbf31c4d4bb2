"""Merge writes: `{model, remote_user_id}` bodies, checked first against what Merge's `/meta/post` says this linked
account requires, then sent with the caller's `Idempotency-Key` (Merge deduplicates POSTs too).

`/meta/post` is per linked account and changes only when the account's ATS configuration does, so its answer is
kept `META_TTL_SECONDS` in the state store for every replica. The TTL bounds only how long the gateway's own check
can lag a new requirement: a write missing it is still refused by Merge, and that refusal comes back field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import (
    AccountContext,
    Call,
    Plan,
    ProviderRequest,
    ProviderResponse,
    RequirementsResult,
    Steps,
    json_object,
)
from connectors.catalogue import Operation
from connectors.errors import FieldError, InvalidInput
from connectors.merge.api import (
    WriteSpec,
    application_candidate,
    collection_path,
    headers_of,
    merge_id,
    record_path,
    written,
)
from connectors.merge.applications import APPLICATION_TABLE, MOVE_TABLE
from connectors.merge.candidates import CANDIDATE_TABLE
from connectors.merge.records import DOCUMENT_TABLE, NOTE_TABLE
from connectors.rules import Required, Rule
from connectors.unified.base import Dto

META_TTL_SECONDS = 600.0

CANDIDATES = WriteSpec("candidates", CANDIDATE_TABLE)
APPLICATIONS = WriteSpec("applications", APPLICATION_TABLE)
ATTACHMENTS = WriteSpec("attachments", DOCUMENT_TABLE, supplied={"candidate": "id"})
ACTIVITIES = WriteSpec("activities", NOTE_TABLE, supplied={"candidate": "id"}, fixed={"activity_type": "NOTE"})
STAGE_CHANGE = WriteSpec("applications", MOVE_TABLE)
SPECS: Mapping[tuple[str, bool], WriteSpec] = {
    ("candidates", False): CANDIDATES,
    ("applications", False): APPLICATIONS,
    ("applications", True): STAGE_CHANGE,
    ("attachments", False): ATTACHMENTS,
    ("activities", False): ACTIVITIES,
}
"""The write a Merge URL answers (collection, change-stage?): how its problems map back to unified fields."""
_OK = frozenset({200, 201})


def envelope(spec: WriteSpec, body: Dto) -> tuple[dict[str, Any], str]:
    """`model` and the acting user; every problem with the body is raised here, before anything is admitted."""
    data = spec.table.to_vendor(body)
    # Absent only when the acting-user rule fails too, which reports it beside every other problem.
    user = str(data.pop("remote_user_id", ""))
    return {**spec.fixed, **data}, user


def meta_request(spec: WriteSpec, account: AccountContext) -> ProviderRequest:
    return ProviderRequest(
        "GET", f"{collection_path(spec.collection)}/meta/post", headers_of(account), cache_seconds=META_TTL_SECONDS
    )


def required_fields(response: ProviderResponse) -> list[str]:
    """The model fields `/meta/post`'s `request_schema` requires (Merge's own and this account's)."""
    model = json_object(response, "request_schema").get("properties", {}).get("model", {})
    required = model.get("required", []) if isinstance(model, dict) else []
    return [name for name in required if isinstance(name, str)]


def _ats(account: AccountContext) -> str:
    return f"this linked account ({account.ats})" if account.ats else "this linked account"


def _missing(
    spec: WriteSpec, account: AccountContext, required: list[str], model: Mapping[str, Any]
) -> list[FieldError]:
    return [
        FieldError(
            spec.unified_field(name),
            "merge.account_requires",
            f"Merge's /meta/post says {_ats(account)} requires {name} on this write",
            code="missing_required_field",
        )
        for name in required
        if model.get(name) in (None, "", [])
    ]


def _checked(spec: WriteSpec, account: AccountContext, model: Mapping[str, Any]) -> Steps[None]:
    """Refused before the write when `/meta/post` names a required field the body leaves empty."""
    errors = _missing(spec, account, required_fields((yield meta_request(spec, account))), model)
    if errors:
        raise InvalidInput(errors)


def _post(path: str, account: AccountContext, key: str | None, body: Any) -> ProviderRequest:
    return ProviderRequest("POST", path, headers_of(account, key), json=body, ok_statuses=_OK)


def create(spec: WriteSpec, call: Call, account: AccountContext, owner: str | None = None) -> Plan:
    """A POST of `spec`'s model; `owner` fills the model's `supplied` field (the candidate of a note)."""
    assert call.body is not None
    model, user = envelope(spec, call.body)
    return _create(spec, account, call.idempotency_key, model, user, owner)


def _create(
    spec: WriteSpec, account: AccountContext, key: str | None, model: dict[str, Any], user: str, owner: str | None
) -> Plan:
    if owner is not None:
        model = {**model, **dict.fromkeys(spec.supplied, owner)}
    yield from _checked(spec, account, model)
    response = yield _post(collection_path(spec.collection), account, key, {"model": model, "remote_user_id": user})
    return written(response, spec)


def create_for_applicant(spec: WriteSpec, call: Call, account: AccountContext) -> Plan:
    """A write Merge files on the candidate (an attachment, a note) for the application in the path."""
    assert call.body is not None
    model, user = envelope(spec, call.body)
    return _for_applicant(spec, account, call.idempotency_key, model, user, merge_id(call.record_id))


def _for_applicant(
    spec: WriteSpec, account: AccountContext, key: str | None, model: dict[str, Any], user: str, application_id: str
) -> Plan:
    candidate = yield from application_candidate(application_id, headers_of(account))
    return (yield from _create(spec, account, key, model, user, candidate))


def update_candidate(call: Call, account: AccountContext) -> Plan:
    """Merge's PATCH; Merge documents no idempotency key on it (the gateway's own key still protects it)."""
    assert call.body is not None
    model, user = envelope(CANDIDATES, call.body)
    request = ProviderRequest(
        "PATCH",
        record_path("candidates", merge_id(call.record_id)),
        headers_of(account),
        json={"model": model, "remote_user_id": user},
        ok_statuses=_OK,
    )
    return _send(request, CANDIDATES)


def move_application(call: Call, account: AccountContext) -> Plan:
    assert call.body is not None
    body = STAGE_CHANGE.table.to_vendor(call.body)
    path = record_path("applications", merge_id(call.record_id)) + "/change-stage"
    return _send(_post(path, account, call.idempotency_key, body), STAGE_CHANGE)


def _send(request: ProviderRequest, spec: WriteSpec) -> Plan:
    response = yield request
    return written(response, spec)


@dataclass(frozen=True)
class PassthroughRequired:
    """A field the vendor requires that no unified field carries: it must come in `passthrough`."""

    key: str
    rule: str
    message: str
    field: str = "passthrough"

    def check(self, value: Any) -> FieldError | None:
        if isinstance(value, dict) and value.get(self.key) not in (None, "", []):
            return None
        return FieldError(f"passthrough.{self.key}", self.rule, self.message, code="missing_required_field")

    def constrain(self, schema: dict[str, Any]) -> None:
        Required(self.field, self.rule, self.message).constrain(schema)
        prop = schema.get("properties", {}).get(self.field, {})
        for alt in prop.get("anyOf", [prop]):
            if alt.get("type") == "object":
                alt.setdefault("required", []).append(self.key)


def requirements(spec: WriteSpec, operation: Operation, account: AccountContext) -> Plan:
    """`/meta/post` as rules on the unified body, for `/unified/ats/meta` (the same answer the write checks)."""
    required = required_fields((yield meta_request(spec, account)))
    fields = operation.request.model_fields if operation.request is not None else {}
    rules: list[Rule] = []
    for name in required:
        if name in spec.supplied or name in spec.fixed:
            continue
        unified = spec.unified_field(name)
        message = f"Merge's /meta/post says {_ats(account)} requires {name} on this write"
        if unified in fields:
            rules.append(Required(unified, "merge.account_requires", message))
        else:
            rules.append(PassthroughRequired(name, "merge.account_requires", message))
    return RequirementsResult(tuple(rules))
