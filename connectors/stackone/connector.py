"""StackOne: the unified surface is StackOne's own, so translation is nearly the identity.

What the connector adds: Basic auth with the API key as user name, the vendor `x-account-id`, the gateway's
extension fields carried in `passthrough` (StackOne has no field for them), and StackOne's `next` cursor.
Facts: ../shared/reference/stackone.md.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import BaseModel

from connectors.base import (
    AccountContext,
    Action,
    Call,
    Capability,
    Connector,
    LookupResult,
    Operation,
    PageResult,
    PlainResult,
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
from connectors.extensions import EXTENSION_FIELDS
from connectors.unified.applications import Application, AssessmentOrderResult
from connectors.unified.candidates import Candidate
from connectors.unified.jobs import Job
from connectors.unified.reference import Department, Location, User

USER_AGENT = "ats-gateway/0.1 (+stackone connector)"

_READS: Mapping[Resource, tuple[type[BaseModel], tuple[str, ...]]] = {
    # resource: (unified model, the list filters StackOne documents for it)
    Resource.JOBS: (Job, ("updated_after", "created_after", "job_status")),
    Resource.CANDIDATES: (Candidate, ("updated_after", "created_after", "email")),
    Resource.APPLICATIONS: (Application, ("updated_after", "created_after", "job_id")),
    Resource.DEPARTMENTS: (Department, ("updated_after",)),
    Resource.LOCATIONS: (Location, ("updated_after",)),
    Resource.USERS: (User, ("updated_after",)),
}
_WRITES: Mapping[Operation, str | None] = {
    Operation(Resource.JOBS, Action.CREATE): None,
    Operation(Resource.JOBS, Action.UPDATE): None,
    Operation(Resource.CANDIDATES, Action.CREATE): None,
    Operation(Resource.CANDIDATES, Action.UPDATE): None,
    Operation(Resource.APPLICATIONS, Action.CREATE): None,
    Operation(Resource.ASSESSMENT_ORDERS, Action.CREATE): None,
}


_CAPABILITIES = declare_capabilities("StackOne", {r: spec[1] for r, spec in _READS.items()}, _WRITES)


class StackOneConnector(Connector):
    name: ClassVar[str] = "stackone"

    def capabilities(self, account: AccountContext) -> Mapping[Operation, Capability]:
        return _CAPABILITIES

    def _plan(self, call: Call, account: AccountContext) -> Plan:
        resource, action = call.operation.resource, call.operation.action
        path = f"/unified/ats/{resource.value}"
        headers = _headers(account)
        if action == Action.LIST:
            assert call.list_query is not None
            model = _READS[resource][0]
            query = {"page_size": str(call.list_query.page_size)}
            if call.list_query.cursor:
                query["next"] = call.list_query.cursor
            for key, value in call.list_query.filters.items():
                query[f"filter[{key}]"] = value
            if call.include_raw:
                query["raw"] = "true"
            return one_request(ProviderRequest("GET", path, headers, query), lambda r: _page(r, model))
        record_path = f"{path}/{quote(call.record_id or '', safe='')}"
        if action == Action.GET:
            model = _READS[resource][0]
            return one_request(
                ProviderRequest("GET", record_path, headers, {"raw": "true"} if call.include_raw else {}),
                lambda r: RecordResult(model.model_validate(json_object(r, "data"))),
            )
        assert call.body is not None
        body = _with_extensions_in_passthrough(call.body)
        if resource == Resource.ASSESSMENT_ORDERS:
            # StackOne answers an order with the bare `CreateAssessmentOrderResult`, not a CreateResult.
            request = ProviderRequest("POST", path, headers, json=body, ok_statuses=frozenset({200, 201}))
            return one_request(request, lambda r: PlainResult(AssessmentOrderResult.model_validate(json_object(r))))
        if action == Action.CREATE:
            request = ProviderRequest("POST", path, headers, json=body, ok_statuses=frozenset({200, 201}))
            return one_request(request, lambda r: _write_result(r, 201, "Record created successfully."))
        request = ProviderRequest("PATCH", record_path, headers, json=body)
        return one_request(request, lambda r: _write_result(r, 200, "Record updated successfully."))

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """StackOne reads are live from the ATS: once StackOne is done with the original request (its 60 s
        lifetime), a full walk of the records created since the attempt that does not find it proves absence."""
        key = _natural_key(call)
        if key is None:
            return None
        return _walk_for(call.operation.resource, key, since, settled, _headers(account))

    def error_message(self, response: ProviderResponse) -> str | None:
        body = response.body
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return str(body["message"])
        return None


LOOKUP_PAGES = 10
"""Pages of 100 a lookup reads at most; a longer walk proves nothing and says so."""


def _natural_key(call: Call) -> tuple[str, str] | None:
    code, email = getattr(call.body, "code", None), getattr(call.body, "email", None)
    if call.operation == Operation(Resource.JOBS, Action.CREATE) and code:
        return "code", str(code)
    if call.operation == Operation(Resource.CANDIDATES, Action.CREATE) and email:
        return "email", str(email)
    return None


def _walk_for(resource: Resource, key: tuple[str, str], since: str, settled: bool, headers: dict[str, str]) -> Plan:
    field, value = key
    query = {"page_size": "100", "filter[created_after]": since}
    if field == "email":
        query["filter[email]"] = value
    path = f"/unified/ats/{resource.value}"
    for _ in range(LOOKUP_PAGES):
        response = yield ProviderRequest("GET", path, headers, dict(query))
        for record in json_list(response, "data"):
            if record.get(field) == value:
                return LookupResult(WriteResult(record.get("id"), record.get("remote_id")), conclusive=True)
        following = json_object(response).get("next")
        if not following:
            return LookupResult(None, conclusive=settled)
        query["next"] = following
    return LookupResult(None, conclusive=False)


def _headers(account: AccountContext) -> dict[str, str]:
    token = base64.b64encode(f"{account.credentials['api_key']}:".encode()).decode()
    return {
        "authorization": f"Basic {token}",
        "x-account-id": account.vendor_account_id or "",
        "user-agent": USER_AGENT,
        "accept": "application/json",
    }


def _with_extensions_in_passthrough(body: BaseModel) -> dict[str, Any]:
    """StackOne's DTOs have no extension fields, so they travel in `passthrough` under their own names."""
    data = body.model_dump(exclude_unset=True)
    popped = {name: data.pop(name, None) for name in EXTENSION_FIELDS}
    moved = {name: value for name, value in popped.items() if value is not None}
    if moved:
        data["passthrough"] = {**(data.get("passthrough") or {}), **moved}
    return data


def _page(response: ProviderResponse, model: type[BaseModel]) -> PageResult:
    body = json_object(response)
    next_cursor = body.get("next") or None
    return PageResult([model.model_validate(item) for item in json_list(response, "data")], next_cursor)


def _write_result(response: ProviderResponse, status: int, message: str) -> WriteResult:
    data = json_object(response, "data")
    return WriteResult(data.get("id"), data.get("remote_id"), status, message)
