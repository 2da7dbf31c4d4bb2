"""Bindbee reads: one plan for every list and get, driven by a table of what differs per resource.

Bindbee pages are `{cursor, page_size, items}` and its records are Merge-like, so every record goes through the
resource's mapping table (or a small reader for reference data) into the unified shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from connectors.base import (
    AccountContext,
    Call,
    PageResult,
    Plan,
    ProviderRequest,
    RecordResult,
    json_list,
    json_object,
    one_request,
)
from connectors.bindbee.applications import APPLICATION_TABLE
from connectors.bindbee.candidates import CANDIDATE_TABLE
from connectors.bindbee.jobs import JOB_TABLE
from connectors.bindbee.reference import DEPARTMENT_TABLE, LOCATION_TABLE, REJECTED_REASON_TABLE, USER_TABLE
from connectors.errors import FieldError, InvalidInput

BASE_PATH = "/api/ats/v1"

Reader = Callable[[Mapping[str, Any]], dict[str, Any]]


_MODIFIED = {"updated_after": "modified_after"}


@dataclass(frozen=True)
class ReadSpec:
    path: str
    """Bindbee's collection path under /api/ats/v1."""
    read: Reader
    filters: Mapping[str, str] = field(default_factory=lambda: _MODIFIED)
    """Unified filter → Bindbee query parameter."""
    expand: str | None = None
    """What Bindbee expands so the unified record can be filled (names, remote ids of references)."""
    custom_fields: bool = False


READS: Mapping[str, ReadSpec] = {
    # unified resource (the catalogue path's first segment) → how Bindbee reads it
    "jobs": ReadSpec(
        "/jobs",
        JOB_TABLE.to_unified,
        {**_MODIFIED, "job_status": "status"},
        "departments,offices,hiring_managers,recruiters",
        custom_fields=True,
    ),
    "candidates": ReadSpec(
        "/candidates",
        CANDIDATE_TABLE.to_unified,
        {**_MODIFIED, "email": "email_addresses"},
        "applications",
        custom_fields=True,
    ),
    "applications": ReadSpec("/applications", APPLICATION_TABLE.to_unified, expand="candidate,job", custom_fields=True),
    "departments": ReadSpec("/departments", DEPARTMENT_TABLE.to_unified),
    "locations": ReadSpec("/offices", LOCATION_TABLE.to_unified),
    "users": ReadSpec("/remote-users", USER_TABLE.to_unified),
    "rejected_reasons": ReadSpec("/reject-reasons", REJECTED_REASON_TABLE.to_unified),
}


def _query(call: Call, spec: ReadSpec) -> dict[str, str]:
    query: dict[str, str] = {}
    if spec.expand:
        query["expand"] = spec.expand
    if spec.custom_fields:
        query["include_custom_fields"] = "true"
    if call.query.raw:
        query["include_raw_data"] = "true"
    return query


def read_list(call: Call, account: AccountContext) -> Plan:
    spec = READS[call.operation.resource]
    query = _query(call, spec)
    query["page_size"] = str(call.query.page_size)
    if call.query.cursor:
        query["cursor"] = call.query.cursor
    for key, value in call.query.filters.items():
        query[spec.filters[key]] = value.upper() if key == "job_status" else value
    return one_request(
        ProviderRequest("GET", BASE_PATH + spec.path, headers_of(account), query),
        lambda r: PageResult([spec.read(item) for item in json_list(r, "items")], json_object(r).get("cursor") or None),
    )


def read_one(call: Call, account: AccountContext) -> Plan:
    spec = READS[call.operation.resource]
    path = f"{BASE_PATH}{spec.path}/{quote(bindbee_id(call.record_id), safe='')}"
    return one_request(
        ProviderRequest("GET", path, headers_of(account), _query(call, spec)),
        lambda r: RecordResult(spec.read(json_object(r))),
    )


def headers_of(account: AccountContext) -> dict[str, str]:
    return {
        "authorization": f"Bearer {account.credentials['api_key']}",
        "x-connector-token": account.credentials["connector_token"],
        "accept": "application/json",
    }


def bindbee_id(record_id: str | None, field: str = "id") -> str:
    """Bindbee ids are uuids and its API answers 422 for anything else; for the caller that is a 404."""
    try:
        return str(uuid.UUID(record_id or ""))
    except ValueError:
        raise InvalidInput(
            [FieldError(field, "bindbee.id_format", f"No record has id '{record_id}'", code="not_found")],
            status=404,
        ) from None
