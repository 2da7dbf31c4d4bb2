"""Bindbee: a Merge-like unified API whose shapes differ from StackOne's, so every field is translated.

Auth is a Bearer API key plus the per-customer `x-connector-token`. Bindbee has no update endpoints for ATS
models. Under Greenhouse, job creation is template based and needs an acting user and an opening count.
Facts: ../shared/reference/bindbee-merge-greenhouse.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import BaseModel

from connectors.base import (
    AccountContext,
    Action,
    Call,
    Capability,
    Connector,
    Operation,
    PageResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    RecordResult,
    Resource,
    WriteResult,
    declare_capabilities,
    json_list,
    json_object,
    one_request,
)
from connectors.bindbee.jobs import JOB_TABLE
from connectors.errors import FieldError, InvalidInput
from connectors.rules import MaxItems, Required, Rule
from connectors.unified.jobs import Job
from connectors.unified.reference import Department, Location, User

BASE_PATH = "/api/ats/v1"
JOB_EXPANSIONS = "departments,offices,hiring_managers,recruiters"

GREENHOUSE_JOB_RULES: tuple[Rule, ...] = (
    Required(
        "template_id",
        "greenhouse.requires_template",
        "Greenhouse creates jobs from a template job: give template_id (a job whose raw data says is_template)",
    ),
    Required(
        "acting_user_id",
        "greenhouse.requires_acting_user",
        "Greenhouse records who creates a job: give acting_user_id (a user id from /unified/ats/users)",
    ),
    Required("openings", "greenhouse.requires_openings", "Greenhouse needs the number of openings"),
    MaxItems("department_ids", "greenhouse.single_department", 1, "Greenhouse allows at most one department"),
)


def _department(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": record.get("id"), "remote_id": record.get("remote_id"), "name": record.get("name")}


def _user(record: Mapping[str, Any]) -> dict[str, Any]:
    first, last = record.get("first_name"), record.get("last_name")
    name = " ".join(part for part in (first, last) if part) or None
    return {
        "id": record.get("id"),
        "remote_id": record.get("remote_id"),
        "first_name": first,
        "last_name": last,
        "name": name,
        "email": record.get("email"),
    }


_Reader = Callable[[Mapping[str, Any]], dict[str, Any]]
_RESOURCES: Mapping[Resource, tuple[str, type[BaseModel], _Reader, Mapping[str, str]]] = {
    # resource: (Bindbee path, unified model, record reader, unified filter → Bindbee query parameter)
    Resource.JOBS: (
        "/jobs",
        Job,
        JOB_TABLE.to_unified,
        {"updated_after": "modified_after", "job_status": "status"},
    ),
    Resource.DEPARTMENTS: ("/departments", Department, _department, {"updated_after": "modified_after"}),
    Resource.LOCATIONS: ("/offices", Location, _department, {"updated_after": "modified_after"}),
    Resource.USERS: ("/remote-users", User, _user, {"updated_after": "modified_after"}),
}
_WRITES: Mapping[Operation, str | None] = {
    Operation(Resource.JOBS, Action.CREATE): None,
    Operation(Resource.JOBS, Action.UPDATE): "Bindbee has no job update endpoint",
}


class BindbeeConnector(Connector):
    name: ClassVar[str] = "bindbee"
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization", "x-connector-token"})
    credentials: ClassVar[tuple[str, ...]] = ("api_key", "connector_token")
    quota_credential: ClassVar[str] = "connector_token"

    def capabilities(self) -> Mapping[Operation, Capability]:
        filters = {resource: tuple(spec[3]) for resource, spec in _RESOURCES.items()}
        return declare_capabilities("Bindbee", filters, _WRITES)

    def rules(self, operation: Operation, account: AccountContext) -> Sequence[Rule]:
        if operation == Operation(Resource.JOBS, Action.CREATE) and account.ats == "greenhouse":
            return GREENHOUSE_JOB_RULES
        return ()

    def _plan(self, call: Call, account: AccountContext) -> Plan:
        path, model, read, filter_params = _RESOURCES[call.operation.resource]
        path = BASE_PATH + path
        headers = _headers(account)
        action = call.operation.action
        expand = {"expand": JOB_EXPANSIONS, "include_custom_fields": "true"} if model is Job else {}
        if call.include_raw:
            expand["include_raw_data"] = "true"
        if action == Action.LIST:
            assert call.list_query is not None
            query = {"page_size": str(call.list_query.page_size), **expand}
            if call.list_query.cursor:
                query["cursor"] = call.list_query.cursor
            for key, value in call.list_query.filters.items():
                query[filter_params[key]] = value.upper() if key == "job_status" else value
            return one_request(
                ProviderRequest("GET", path, headers, query),
                lambda r: PageResult(
                    [model.model_validate(read(item)) for item in json_list(r, "items")],
                    json_object(r).get("cursor") or None,
                ),
            )
        if action == Action.GET:
            record_id = _bindbee_id(call.record_id)
            return one_request(
                ProviderRequest("GET", f"{path}/{quote(record_id, safe='')}", headers, expand),
                lambda r: RecordResult(model.model_validate(read(json_object(r)))),
            )
        assert call.body is not None
        body = JOB_TABLE.to_vendor(call.body)
        return one_request(
            ProviderRequest("POST", path, headers, json=body, ok_statuses=frozenset({200, 201})),
            _created,
        )

    def error_message(self, response: ProviderResponse) -> str | None:
        detail = response.body.get("detail") if isinstance(response.body, dict) else None
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):
            parts = [
                f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg')}"
                for item in detail
                if isinstance(item, dict)
            ]
            return "; ".join(parts) or None
        return None


def _headers(account: AccountContext) -> dict[str, str]:
    return {
        "authorization": f"Bearer {account.credentials['api_key']}",
        "x-connector-token": account.credentials["connector_token"],
        "accept": "application/json",
    }


def _bindbee_id(record_id: str | None) -> str:
    """Bindbee ids are uuids and its API answers 422 for anything else; for the caller that is a 404."""
    try:
        return str(uuid.UUID(record_id or ""))
    except ValueError:
        raise InvalidInput(
            [FieldError("id", "bindbee.id_format", f"No record has id '{record_id}'", code="not_found")],
            status=404,
        ) from None


def _created(response: ProviderResponse) -> WriteResult:
    """Bindbee documents its create response as untyped: look for the record where it is usually found."""
    body = response.body if isinstance(response.body, dict) else {}
    record = next(
        (node for node in (body, body.get("data"), body.get("model")) if isinstance(node, dict) and "id" in node),
        None,
    )
    if record is None:
        return WriteResult(None, None, 201, "Record created; Bindbee did not return its id.")
    remote_id = record.get("remote_id")
    return WriteResult(str(record["id"]), None if remote_id is None else str(remote_id))
