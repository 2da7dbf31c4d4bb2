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
from connectors.errors import UnexpectedResponse, VendorRefused

PASSTHROUGH_PATH = "/api/v1/passthrough"


def greenhouse_ids(*records: Mapping[str, Any]) -> list[str]:
    """The Greenhouse ids of Bindbee records: numbers, or the plan stops (anything else would steer the
    passthrough to another Harvest path)."""
    ids = [str(record.get("remote_id") or "") for record in records]
    if not all(value.isdigit() for value in ids):
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
