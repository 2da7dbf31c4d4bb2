"""Greenhouse through Bindbee's passthrough: what Bindbee has no endpoint for, sent as Harvest's own calls.

Harvest wants Greenhouse's numeric ids and the acting user in `On-Behalf-Of`, so each plan reads the Bindbee
records it needs first (their `remote_id` is the Greenhouse id), and only its last request writes. Facts:
../shared/reference/bindbee-merge-greenhouse.md §3 and greenhouse-harvest-applications.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Plan, ProviderRequest, Steps, WriteResult, json_list, json_object
from connectors.bindbee.reads import BASE_PATH
from connectors.bindbee.refs import ref_id
from connectors.errors import UnexpectedResponse, VendorRefused

PASSTHROUGH_PATH = "/api/v1/passthrough"


def greenhouse_ids(*records: Mapping[str, Any]) -> list[str]:
    """The Greenhouse ids of Bindbee records: numbers, or the plan stops (anything else would steer the
    passthrough to another Harvest path)."""
    ids = [str(record.get("remote_id") or "") for record in records]
    # ASCII digits only: `isdigit` also admits '٤' and '²', which would reach a Harvest path as they are.
    if not all(value.isascii() and value.isdigit() for value in ids):
        raise UnexpectedResponse("Bindbee returned no Greenhouse id for a record the Harvest call needs")
    return ids


def read_record(kind: str, record_id: str, headers: Mapping[str, str]) -> Steps[dict[str, Any]]:
    """One Bindbee record, for its Greenhouse id."""
    response = yield ProviderRequest("GET", f"{BASE_PATH}/{kind}/{record_id}", headers)
    return json_object(response)


def harvest(method: str, path: str, on_behalf_of: str, data: Any, headers: Mapping[str, str]) -> Steps[Any]:
    """Harvest's answer to one write sent through the passthrough; its refusals become the vendor's errors."""
    passthrough = {
        "method": method,
        "path": path,
        "headers": {"On-Behalf-Of": on_behalf_of},
        "data": data,
        "request_format": "JSON",
        "response_format": "JSON",
    }
    response = yield ProviderRequest("POST", PASSTHROUGH_PATH, headers, json=passthrough)
    inner = json_object(response)
    status = inner.get("status")
    if isinstance(status, int) and status >= 400:
        raise VendorRefused(status, inner.get("data"), f"greenhouse:{path}")
    return inner.get("data")


def update_candidate(record_id: str, user_id: str, body: dict[str, Any], headers: Mapping[str, str]) -> Plan:
    """Harvest's `PATCH /v1/candidates/{id}`."""
    candidate = yield from read_record("candidates", record_id, headers)
    user = yield from read_record("remote-users", user_id, headers)
    candidate_gh, user_gh = greenhouse_ids(candidate, user)
    yield from harvest("PATCH", f"/v1/candidates/{candidate_gh}", user_gh, body, headers)
    return WriteResult(record_id, candidate_gh)


def add_application(
    candidate_id: str, job_id: str, user_id: str, extra: dict[str, Any], headers: Mapping[str, str]
) -> Plan:
    """Harvest's `POST /v1/candidates/{id}/applications`; then Bindbee's own id for the new application, when its
    synced copy already shows it."""
    candidate = yield from read_record("candidates", candidate_id, headers)
    job = yield from read_record("jobs", job_id, headers)
    user = yield from read_record("remote-users", user_id, headers)
    candidate_gh, job_gh, user_gh = greenhouse_ids(candidate, job, user)
    data = {"job_id": int(job_gh), **extra}
    created = yield from harvest("POST", f"/v1/candidates/{candidate_gh}/applications", user_gh, data, headers)
    if not isinstance(created, dict) or not isinstance(created.get("id"), int):
        raise UnexpectedResponse("Harvest's answer to Add Application carries no application id")
    greenhouse_id = str(created["id"])
    synced = yield ProviderRequest("GET", f"{BASE_PATH}/applications", headers, {"remote_id": greenhouse_id})
    found = json_list(synced, "items")
    if not found:
        return WriteResult(None, greenhouse_id, "Created in Greenhouse; Bindbee lists it after its next sync.")
    return WriteResult(str(found[0]["id"]), greenhouse_id)


def _application(application_id: str, headers: Mapping[str, str]) -> Steps[tuple[str, str | None]]:
    """An application's Greenhouse id and its current stage's Bindbee id (for Harvest's `from_stage_id`)."""
    record = yield from read_record("applications", application_id, headers)
    [greenhouse] = greenhouse_ids(record)
    return greenhouse, ref_id(record.get("current_stage"))


def move_application(
    application_id: str, stage_id: str, user_id: str, extra: dict[str, Any], headers: Mapping[str, str]
) -> Plan:
    """Harvest's `POST /v1/applications/{id}/move`: from the stage Bindbee shows now to the one asked for."""
    greenhouse, current = yield from _application(application_id, headers)
    if current is None:
        raise UnexpectedResponse("Bindbee shows the application in no stage, so Harvest cannot be told where from")
    now = yield from read_record("job-interview-stages", current, headers)
    target = yield from read_record("job-interview-stages", stage_id, headers)
    user = yield from read_record("remote-users", user_id, headers)
    from_gh, to_gh, user_gh = greenhouse_ids(now, target, user)
    data = {**extra, "from_stage_id": int(from_gh), "to_stage_id": int(to_gh)}
    yield from harvest("POST", f"/v1/applications/{greenhouse}/move", user_gh, data, headers)
    return WriteResult(application_id, greenhouse)


def reject_application(
    application_id: str, reason_id: str | None, user_id: str, extra: dict[str, Any], headers: Mapping[str, str]
) -> Plan:
    """Harvest's `POST /v1/applications/{id}/reject`: the reason by its Greenhouse id; notes and a rejection
    email come from `passthrough` as Harvest names them."""
    greenhouse, _ = yield from _application(application_id, headers)
    data = dict(extra)
    if reason_id is not None:
        reason = yield from read_record("reject-reasons", reason_id, headers)
        [reason_gh] = greenhouse_ids(reason)
        data["rejection_reason_id"] = int(reason_gh)
    user = yield from read_record("remote-users", user_id, headers)
    [user_gh] = greenhouse_ids(user)
    yield from harvest("POST", f"/v1/applications/{greenhouse}/reject", user_gh, data, headers)
    return WriteResult(application_id, greenhouse)


def update_application(application_id: str, user_id: str, data: dict[str, Any], headers: Mapping[str, str]) -> Plan:
    """Harvest's `PATCH /v1/applications/{id}`."""
    greenhouse, _ = yield from _application(application_id, headers)
    user = yield from read_record("remote-users", user_id, headers)
    [user_gh] = greenhouse_ids(user)
    yield from harvest("PATCH", f"/v1/applications/{greenhouse}", user_gh, data, headers)
    return WriteResult(application_id, greenhouse)
