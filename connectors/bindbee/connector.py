"""Bindbee: a Merge-like unified API whose shapes differ from StackOne's, so every field is translated.

Auth is a Bearer API key plus the per-customer `x-connector-token`. Bindbee has no update endpoints for ATS
models. Under Greenhouse, job creation is template based and needs an acting user and an opening count.
Facts: ../shared/reference/bindbee-merge-greenhouse.md.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
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
from connectors.bindbee.applications import APPLICATION_TABLE
from connectors.bindbee.candidates import CANDIDATE_TABLE, harvest_update
from connectors.bindbee.jobs import JOB_TABLE
from connectors.errors import FieldError, InvalidInput, NotSupported, UnexpectedResponse, VendorRefused
from connectors.mapping import merge_passthrough
from connectors.rules import MaxItems, Required, Rule
from connectors.unified.applications import Application, ApplicationCreate
from connectors.unified.candidates import Candidate, CandidateCreate
from connectors.unified.common import WriteModel
from connectors.unified.jobs import Job
from connectors.unified.reference import Department, Location, User

BASE_PATH = "/api/ats/v1"

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


GREENHOUSE_CANDIDATE_UPDATE_RULES: tuple[Rule, ...] = (
    Required(
        "acting_user_id",
        "greenhouse.requires_acting_user",
        "Greenhouse records who edits a candidate (On-Behalf-Of): give acting_user_id",
    ),
)

_Reader = Callable[[Mapping[str, Any]], dict[str, Any]]
_MODIFIED = {"updated_after": "modified_after"}
_RESOURCES: Mapping[Resource, tuple[str, type[BaseModel], _Reader, Mapping[str, str]]] = {
    # resource: (Bindbee path, unified model, record reader, unified filter → Bindbee query parameter)
    Resource.JOBS: ("/jobs", Job, JOB_TABLE.to_unified, {**_MODIFIED, "job_status": "status"}),
    Resource.CANDIDATES: (
        "/candidates",
        Candidate,
        CANDIDATE_TABLE.to_unified,
        {**_MODIFIED, "email": "email_addresses"},
    ),
    Resource.APPLICATIONS: ("/applications", Application, APPLICATION_TABLE.to_unified, _MODIFIED),
    Resource.DEPARTMENTS: ("/departments", Department, _department, _MODIFIED),
    Resource.LOCATIONS: ("/offices", Location, _department, _MODIFIED),
    Resource.USERS: ("/remote-users", User, _user, _MODIFIED),
}
_EXPANSIONS = {
    Resource.JOBS: "departments,offices,hiring_managers,recruiters",
    Resource.CANDIDATES: "applications",
    Resource.APPLICATIONS: "candidate,job",
}
_WRITES: Mapping[Operation, str | None] = {
    Operation(Resource.JOBS, Action.CREATE): None,
    Operation(Resource.JOBS, Action.UPDATE): "Bindbee has no job update endpoint",
    Operation(Resource.CANDIDATES, Action.CREATE): None,
    Operation(Resource.CANDIDATES, Action.UPDATE): (
        "Bindbee has no candidate update endpoint; the gateway updates candidates through Bindbee's passthrough "
        "only where the ATS is Greenhouse"
    ),
    Operation(Resource.APPLICATIONS, Action.CREATE): None,
    Operation(Resource.ASSESSMENT_ORDERS, Action.CREATE): "Bindbee has no assessments API",
}
UPDATE_CANDIDATE = Operation(Resource.CANDIDATES, Action.UPDATE)
PASSTHROUGH_PATH = "/api/v1/passthrough"


@functools.cache
def _capabilities(ats: str | None) -> Mapping[Operation, Capability]:
    """Per ATS, computed once: every request asks."""
    filters = {resource: tuple(spec[3]) for resource, spec in _RESOURCES.items()}
    caps = declare_capabilities("Bindbee", filters, _WRITES)
    if ats == "greenhouse":
        caps[UPDATE_CANDIDATE] = Capability(UPDATE_CANDIDATE, True)
    return MappingProxyType(caps)


class BindbeeConnector(Connector):
    name: ClassVar[str] = "bindbee"
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization", "x-connector-token"})
    credentials: ClassVar[tuple[str, ...]] = ("api_key", "connector_token")
    quota_credential: ClassVar[str] = "connector_token"

    def capabilities(self, account: AccountContext) -> Mapping[Operation, Capability]:
        return _capabilities(account.ats)

    def rules(self, operation: Operation, account: AccountContext) -> Sequence[Rule]:
        if account.ats != "greenhouse":
            return ()
        if operation == Operation(Resource.JOBS, Action.CREATE):
            return GREENHOUSE_JOB_RULES
        if operation == UPDATE_CANDIDATE:
            return GREENHOUSE_CANDIDATE_UPDATE_RULES
        return ()

    def _plan(self, call: Call, account: AccountContext) -> Plan:
        resource, action = call.operation.resource, call.operation.action
        headers = _headers(account)
        if action in (Action.LIST, Action.GET):
            return self._read(call, headers)
        assert call.body is not None
        if resource == Resource.JOBS:
            return one_request(_post("/jobs", headers, JOB_TABLE.to_vendor(call.body)), _created)
        if resource == Resource.CANDIDATES and action == Action.CREATE:
            return one_request(_post("/candidates", headers, _candidate_envelope(call.body)), _created)
        if resource == Resource.CANDIDATES:
            return _update_greenhouse_candidate(call, headers)
        return _create_application(call.body, headers, account.ats)

    def _read(self, call: Call, headers: Mapping[str, str]) -> Plan:
        resource = call.operation.resource
        path, model, read, filter_params = _RESOURCES[resource]
        path = BASE_PATH + path
        query: dict[str, str] = {}
        if resource in _EXPANSIONS:
            query["expand"] = _EXPANSIONS[resource]
        if resource in (Resource.JOBS, Resource.CANDIDATES, Resource.APPLICATIONS):
            query["include_custom_fields"] = "true"
        if call.include_raw:
            query["include_raw_data"] = "true"
        if call.operation.action == Action.LIST:
            assert call.list_query is not None
            query["page_size"] = str(call.list_query.page_size)
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
        record_id = _bindbee_id(call.record_id)
        return one_request(
            ProviderRequest("GET", f"{path}/{quote(record_id, safe='')}", headers, query),
            lambda r: RecordResult(model.model_validate(read(json_object(r)))),
        )

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """Bindbee reads come from its synced copy, where a new record may not show yet: finding the record
        settles the question, not finding it never does."""
        code, email = getattr(call.body, "code", None), getattr(call.body, "email", None)
        if call.operation == Operation(Resource.JOBS, Action.CREATE) and code:
            path, query = "/jobs", {"code": str(code)}
        elif call.operation == Operation(Resource.CANDIDATES, Action.CREATE) and email:
            path, query = "/candidates", {"email_addresses": str(email)}
        else:
            return None
        request = ProviderRequest("GET", BASE_PATH + path, _headers(account), {**query, "page_size": "1"})

        def read(response: ProviderResponse) -> LookupResult:
            items = json_list(response, "items")
            if not items:
                return LookupResult(None, conclusive=False)
            return LookupResult(WriteResult(str(items[0]["id"]), items[0].get("remote_id")), conclusive=True)

        return one_request(request, read)

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


def _post(path: str, headers: Mapping[str, str], body: Any) -> ProviderRequest:
    return ProviderRequest("POST", BASE_PATH + path, headers, json=body, ok_statuses=frozenset({200, 201}))


def _candidate_envelope(body: WriteModel, job_id: str | None = None) -> dict[str, Any]:
    """Bindbee's `CreateCandidate`: the candidate in `data`, the acting user beside it."""
    data = CANDIDATE_TABLE.to_vendor(body)
    acting = data.pop("remote_user_id", None)
    if job_id is not None:
        data["job_id"] = job_id
    return {"data": data, **({"remote_user_id": acting} if acting else {})}


def _create_application(body: WriteModel, headers: Mapping[str, str], ats: str | None) -> Plan:
    """A candidate put on a job, on the one documented route for each case.

    A new candidate is created on the job in one call (`PostCandidate.job_id`), never a candidate then an
    application: a failure between two writes would leave half of the request applied. Bindbee documents no body
    for `POST /applications` (PROVENANCE.md), so an existing candidate goes through Harvest's Add Application on
    Greenhouse, and is a 501 on any other ATS rather than a guessed body.
    """
    assert isinstance(body, ApplicationCreate)
    errors = _application_errors(body)
    if errors:
        raise InvalidInput(errors)
    if body.candidate is not None:
        inline = CandidateCreate.model_validate(
            {**body.candidate.model_dump(exclude_unset=True), "acting_user_id": body.acting_user_id}
        )
        return one_request(_post("/candidates", headers, _candidate_envelope(inline, body.job_id)), _created)
    if ats != "greenhouse":
        raise NotSupported(
            "bindbee",
            "create_applications",
            "Bindbee documents no request body for POST /api/ats/v1/applications, so an existing candidate can be "
            "put on a job only on Greenhouse accounts (through Harvest); send `candidate` to create a new candidate "
            "on the job instead",
        )
    if body.source is not None:
        errors.append(
            FieldError(
                "source",
                "greenhouse.source_id",
                "Harvest takes a numeric Greenhouse source id: give it as passthrough.source_id",
                code="unsupported_field",
            )
        )
    if not body.acting_user_id:
        errors.append(
            FieldError(
                "acting_user_id",
                "greenhouse.requires_acting_user",
                "Greenhouse records who adds an application (On-Behalf-Of): give acting_user_id",
                code="missing_required_field",
            )
        )
    harvest: dict[str, Any] = {}
    merge_passthrough(harvest, body.passthrough, errors)
    if errors:
        raise InvalidInput(errors)
    ids = (
        _bindbee_id(body.candidate_id, field="candidate_id"),
        _bindbee_id(body.job_id, field="job_id"),
        _bindbee_id(body.acting_user_id, field="acting_user_id"),
    )
    return _harvest_add_application(*ids, harvest, headers)


def _harvest_add_application(
    candidate_id: str, job_id: str, user_id: str, extra: dict[str, Any], headers: Mapping[str, str]
) -> Plan:
    """Harvest's `POST /v1/candidates/{id}/applications` through the passthrough, with Greenhouse's numeric ids
    read from Bindbee first; then Bindbee's own id for the new application, when its copy already shows it."""
    candidate = json_object((yield ProviderRequest("GET", f"{BASE_PATH}/candidates/{candidate_id}", headers)))
    job = json_object((yield ProviderRequest("GET", f"{BASE_PATH}/jobs/{job_id}", headers)))
    user = json_object((yield ProviderRequest("GET", f"{BASE_PATH}/remote-users/{user_id}", headers)))
    remote = {name: str(record.get("remote_id") or "") for name, record in (("c", candidate), ("j", job), ("u", user))}
    if not all(_greenhouse_id(value) for value in remote.values()):
        # Greenhouse ids are numbers; anything else would steer the passthrough to another Harvest path.
        raise UnexpectedResponse("Bindbee returned no Greenhouse id for the candidate, the job or the acting user")
    passthrough = {
        "method": "POST",
        "path": f"/v1/candidates/{remote['c']}/applications",
        "headers": {"On-Behalf-Of": remote["u"]},
        "data": {"job_id": int(remote["j"]), **extra},
        "request_format": "JSON",
        "response_format": "JSON",
    }
    response = yield ProviderRequest("POST", PASSTHROUGH_PATH, headers, json=passthrough)
    inner = json_object(response)
    status, created = inner.get("status"), inner.get("data")
    if isinstance(status, int) and status >= 400:
        raise VendorRefused(status, created, f"greenhouse:{passthrough['path']}")
    if not isinstance(created, dict) or not isinstance(created.get("id"), int):
        raise UnexpectedResponse("Harvest's answer to Add Application carries no application id")
    greenhouse_id = str(created["id"])
    synced = yield ProviderRequest("GET", f"{BASE_PATH}/applications", headers, {"remote_id": greenhouse_id})
    found = json_list(synced, "items")
    if not found:
        return WriteResult(None, greenhouse_id, 201, "Created in Greenhouse; Bindbee lists it after its next sync.")
    return WriteResult(str(found[0]["id"]), greenhouse_id)


def _application_errors(body: ApplicationCreate) -> list[FieldError]:
    errors = []
    if (body.candidate_id is None) == (body.candidate is None):
        errors.append(
            FieldError(
                "candidate_id",
                "application.candidate",
                "give candidate_id or candidate, not both",
                code="validation_error",
            )
        )
    if body.job_id is None:
        errors.append(
            FieldError(
                "job_id", "required", "Bindbee puts a candidate on a job: give job_id", code="missing_required_field"
            )
        )
    unsupported = {
        "job_posting_id": "Bindbee applications reference jobs, not job postings",
        "location_id": "Bindbee applications have no location",
        "application_status": "Bindbee sets the status itself",
        "questionnaires": "Bindbee applications take no questionnaire answers",
        "documents": "attach documents to the candidate instead",
    }
    for name, reason in unsupported.items():
        if getattr(body, name) not in (None, []):
            errors.append(FieldError(name, "vendor.unsupported_field", reason, code="unsupported_field"))
    return errors


def _update_greenhouse_candidate(call: Call, headers: Mapping[str, str]) -> Plan:
    """Bindbee cannot update candidates; Greenhouse can, through Bindbee's passthrough to Harvest.

    Everything is checked before the plan starts, so the caller hears about every problem at once and no vendor
    call is made for a request that cannot succeed.
    """
    assert call.body is not None
    errors: list[FieldError] = []
    harvest = harvest_update(call.body.model_dump(exclude_unset=True), errors)
    if errors:
        raise InvalidInput(errors)
    record_id = _bindbee_id(call.record_id)
    acting = getattr(call.body, "acting_user_id", None)
    # A missing acting user is the Greenhouse rule's to report; only a malformed one is reported here.
    user_id = _bindbee_id(acting, field="acting_user_id") if acting else ""
    return _harvest_patch(record_id, user_id, harvest, headers)


def _harvest_patch(record_id: str, user_id: str, harvest: dict[str, Any], headers: Mapping[str, str]) -> Plan:
    """Harvest wants its own ids, the candidate's and the acting user's (`On-Behalf-Of`), so both are read
    first; only the last request writes."""
    candidate = json_object((yield ProviderRequest("GET", f"{BASE_PATH}/candidates/{record_id}", headers)))
    user = json_object((yield ProviderRequest("GET", f"{BASE_PATH}/remote-users/{user_id}", headers)))
    if not all(_greenhouse_id(str(record.get("remote_id") or "")) for record in (candidate, user)):
        # Greenhouse ids are numbers; anything else would steer the passthrough to another Harvest path.
        raise UnexpectedResponse("Bindbee returned no Greenhouse id for the candidate or the acting user")
    passthrough = {
        "method": "PATCH",
        "path": f"/v1/candidates/{candidate['remote_id']}",
        "headers": {"On-Behalf-Of": str(user["remote_id"])},
        "data": harvest,
        "request_format": "JSON",
        "response_format": "JSON",
    }
    response = yield ProviderRequest("POST", PASSTHROUGH_PATH, headers, json=passthrough)
    inner = json_object(response)
    status = inner.get("status")
    if isinstance(status, int) and status >= 400:
        raise VendorRefused(status, inner.get("data"), f"greenhouse:{passthrough['path']}")
    return WriteResult(record_id, str(candidate["remote_id"]), 200, "Record updated successfully.")


def _greenhouse_id(value: str) -> bool:
    """A Greenhouse id is a number in ASCII digits: `str.isdigit` alone also admits '²' and '٣'."""
    return value.isascii() and value.isdigit()


def _bindbee_id(record_id: str | None, field: str = "id") -> str:
    """Bindbee ids are uuids and its API answers 422 for anything else; for the caller that is a 404."""
    try:
        return str(uuid.UUID(record_id or ""))
    except ValueError:
        raise InvalidInput(
            [FieldError(field, "bindbee.id_format", f"No record has id '{record_id}'", code="not_found")],
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
