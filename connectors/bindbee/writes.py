"""Bindbee writes on the documented routes: notes as activities, documents as candidate attachments, and what
Greenhouse does for an application (move, reject, update) through the passthrough to Harvest.

Every problem is found before the plan starts, so the caller hears about all of them at once and no vendor call
is made for a request that cannot succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connectors.base import AccountContext, Call, Plan, ProviderRequest, ProviderResponse, WriteResult, one_request
from connectors.bindbee import greenhouse
from connectors.bindbee.applications import harvest_application_update
from connectors.bindbee.process import DOCUMENT_TABLE, NOTE_TABLE
from connectors.bindbee.reads import BASE_PATH, application_candidate, bindbee_id, headers_of
from connectors.errors import FieldError, InvalidInput
from connectors.mapping import merge_passthrough


def post(path: str, headers: Mapping[str, str], body: Any) -> ProviderRequest:
    return ProviderRequest("POST", BASE_PATH + path, headers, json=body, ok_statuses=frozenset({200, 201}))


def created(response: ProviderResponse) -> WriteResult:
    """Bindbee documents its create response as untyped: look for the record where it is usually found."""
    body = response.body if isinstance(response.body, dict) else {}
    record = next(
        (node for node in (body, body.get("data"), body.get("model")) if isinstance(node, dict) and "id" in node),
        None,
    )
    if record is None:
        return WriteResult(None, None, "Record created; Bindbee did not return its id.")
    remote_id = record.get("remote_id")
    return WriteResult(str(record["id"]), None if remote_id is None else str(remote_id))


def _note(call: Call) -> dict[str, Any]:
    """`CreateAtsActivity` without its candidate: its keys are required but nullable (PROVENANCE.md, 7); the
    visibility is a rule of the connector (an enum, whose null the excerpt does not list)."""
    assert call.body is not None
    data = NOTE_TABLE.to_vendor(call.body)
    return {"user": None, "body": None, **data, "activity_type": "NOTE"}


def create_candidate_note(call: Call, account: AccountContext) -> Plan:
    activity = {**_note(call), "candidate": bindbee_id(call.record_id)}
    return one_request(post("/activities", headers_of(account), activity), created)


def create_application_note(call: Call, account: AccountContext) -> Plan:
    """A note on an application is a note on its candidate: Bindbee's activities belong to candidates."""
    note = _note(call)
    return _on_candidate(call, account, lambda candidate: ("/activities", {**note, "candidate": candidate}))


def upload_document(call: Call, account: AccountContext) -> Plan:
    """An application's document is an attachment of its candidate (`POST /candidates/{id}/attachments`), with
    the file's bytes (base64 `content`) or a URL Bindbee fetches (`file_url`), exactly one of them."""
    body = call.body
    assert body is not None
    given = [name for name in ("content", "file_url") if getattr(body, name, None)]
    rule = "give the file as content (base64) or file_url, exactly one of them"
    extra = [] if len(given) == 1 else [FieldError("content", "bindbee.one_source", rule, "validation_error")]
    attachment = DOCUMENT_TABLE.to_vendor(body, extra)
    return _on_candidate(call, account, lambda candidate: (f"/candidates/{candidate}/attachments", attachment))


def _on_candidate(call: Call, account: AccountContext, write: Callable[[str], tuple[str, Any]]) -> Plan:
    """Read the application's candidate, then make the one write there."""
    headers = headers_of(account)
    candidate = yield from application_candidate(bindbee_id(call.record_id), headers)
    path, body = write(candidate)
    return created((yield post(path, headers, body)))


def _acting(call: Call, errors: list[FieldError]) -> str:
    """Harvest records who makes a change (`On-Behalf-Of`): the acting user, required on Greenhouse writes."""
    acting = getattr(call.body, "acting_user_id", None)
    if not acting:
        message = "Greenhouse records who changes an application (On-Behalf-Of): give acting_user_id"
        errors.append(
            FieldError("acting_user_id", "greenhouse.requires_acting_user", message, "missing_required_field")
        )
        return ""
    return bindbee_id(acting, field="acting_user_id")


def _extra(call: Call, mapped: set[str], errors: list[FieldError]) -> dict[str, Any]:
    """`passthrough` keys travel into Harvest's body; one that would overwrite a mapped field is refused."""
    out: dict[str, Any] = dict.fromkeys(mapped)
    merge_passthrough(out, getattr(call.body, "passthrough", None), errors)
    return {key: value for key, value in out.items() if key not in mapped}


def move_application(call: Call, account: AccountContext) -> Plan:
    errors: list[FieldError] = []
    stage = getattr(call.body, "interview_stage_id", None)
    if not stage:
        message = "give interview_stage_id: the stage to move the application to"
        errors.append(FieldError("interview_stage_id", "required", message, "missing_required_field"))
    user = _acting(call, errors)
    extra = _extra(call, {"from_stage_id", "to_stage_id"}, errors)
    if errors:
        raise InvalidInput(errors)
    stage_id = bindbee_id(stage, field="interview_stage_id")
    return greenhouse.move_application(bindbee_id(call.record_id), stage_id, user, extra, headers_of(account))


def reject_application(call: Call, account: AccountContext) -> Plan:
    errors: list[FieldError] = []
    reason = getattr(call.body, "rejected_reason_id", None)
    user = _acting(call, errors)
    extra = _extra(call, {"rejection_reason_id"} if reason else set(), errors)
    if errors:
        raise InvalidInput(errors)
    reason_id = bindbee_id(reason, field="rejected_reason_id") if reason else None
    return greenhouse.reject_application(bindbee_id(call.record_id), reason_id, user, extra, headers_of(account))


def update_application(call: Call, account: AccountContext) -> Plan:
    assert call.body is not None
    errors: list[FieldError] = []
    data = harvest_application_update(call.body.model_dump(exclude_unset=True), errors)
    user = _acting(call, errors)
    if errors:
        raise InvalidInput(errors)
    return greenhouse.update_application(bindbee_id(call.record_id), user, data, headers_of(account))
