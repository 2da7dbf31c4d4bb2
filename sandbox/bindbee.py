"""A local emulator of Bindbee's ATS API, as Bindbee documents it (../shared/vendor/bindbee, reference §1).

Bearer API key and `x-connector-token` checked on every call; FastAPI-shaped 422 detail lists and `{"detail": …}`
errors; `{cursor, page_size, items}` pages; `X-RateLimit-*` headers and 429 + `Retry-After` at 200 requests per
minute per connector token; Greenhouse's job rules enforced for Greenhouse connectors (the gateway must catch them
first, this is the backstop).
"""

import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sandbox import controls
from sandbox.bindbee_models import (
    AtsApplication,
    AtsCandidate,
    AtsDepartment,
    AtsJob,
    AtsOffice,
    AtsRemoteUser,
    CreateAtsJob,
    CreateCandidate,
    Passthrough,
)
from sandbox.common import (
    SEED_DEPARTMENTS,
    SEED_JOBS,
    SEED_OFFICES,
    SEED_TEMPLATE_JOB,
    SEED_USERS,
    MinuteQuota,
    Tenant,
    decode_cursor,
    now_iso,
    page,
    seed_people,
    stable_id,
)

RATE_LIMIT_PER_MINUTE = 200
_MODELS: dict[str, type[BaseModel]] = {
    "jobs": AtsJob,
    "candidates": AtsCandidate,
    "applications": AtsApplication,
    "departments": AtsDepartment,
    "offices": AtsOffice,
    "remote-users": AtsRemoteUser,
}
_EXPANDABLE = {
    # relation → the collection it points into
    "departments": "departments",
    "offices": "offices",
    "hiring_managers": "remote-users",
    "recruiters": "remote-users",
    "applications": "applications",
    "candidate": "candidates",
    "job": "jobs",
}


@dataclass
class BindbeeSandbox:
    api_key: str
    connectors: dict[str, str]
    """Connector token → the ATS behind it (e.g. "greenhouse")."""
    requests_per_minute: int = RATE_LIMIT_PER_MINUTE
    seed_labels: dict[str, str] = field(default_factory=dict)
    """Connector token → the name seed ids derive from (default: the token), so ids outlive generated tokens."""
    seed_candidates: int = 0
    tenants: dict[str, Tenant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.quota = MinuteQuota(self.requests_per_minute)
        for token, ats in self.connectors.items():
            self.tenants[token] = seed_tenant(self.seed_labels.get(token, token), ats, self.seed_candidates)


def seed_tenant(token: str, ats: str, extra_candidates: int = 0) -> Tenant:
    tenant = Tenant(ats=ats)
    stamp = now_iso()
    common = {"modified_at": stamp, "custom_fields": {}}
    for i, person in enumerate(seed_people(extra_candidates), start=1):
        tenant["candidates"].add(
            {
                "id": stable_id(token, "candidate", person.email),
                "remote_id": str(4_100_000 + i),
                "first_name": person.first_name,
                "last_name": person.last_name,
                "company": None,
                "title": None,
                "email_addresses": [person.email],
                "phone_numbers": [],
                "urls": [],
                "locations": [],
                "tags": [],
                "applications": [],
                "attachments": [],
                "remote_created_at": stamp,
                "remote_updated_at": stamp,
                "raw_data": {"id": 4_100_000 + i, "first_name": person.first_name},
                **common,
            }
        )
    for i, name in enumerate(SEED_DEPARTMENTS, start=1):
        tenant["departments"].add(
            {
                "id": stable_id(token, "department", name),
                "remote_id": str(4_000_100 + i),
                "name": name,
                "raw_data": {"id": 4_000_100 + i, "name": name},
                **common,
            }
        )
    for i, (name, where) in enumerate(SEED_OFFICES, start=1):
        tenant["offices"].add(
            {
                "id": stable_id(token, "office", name),
                "remote_id": str(4_000_200 + i),
                "name": name,
                "location": where,
                "raw_data": {"id": 4_000_200 + i, "name": name},
                **common,
            }
        )
    for i, person in enumerate(SEED_USERS, start=1):
        tenant["remote-users"].add(
            {
                "id": stable_id(token, "user", person.email),
                "remote_id": str(4_000_300 + i),
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "disabled": False,
                "remote_created_at": stamp,
                "access_role": person.role,
                "raw_data": {"id": 4_000_300 + i, "first_name": person.first_name},
                **common,
            }
        )
    for i, (name, template) in enumerate(((SEED_TEMPLATE_JOB, True), *((n, False) for n in SEED_JOBS)), start=1):
        remote = str(4_033_879_008 + i)  # the template is 4033879009, the id in Bindbee's Greenhouse example
        tenant["jobs"].add(
            {
                "id": stable_id(token, "job", name),
                "remote_id": remote,
                "name": name,
                "description": None,
                "code": None,
                "status": "OPEN" if not template else "DRAFT",
                "job_posting_urls": [],
                "remote_created_at": stamp,
                "remote_updated_at": stamp,
                "confidential": False,
                "departments": [stable_id(token, "department", SEED_DEPARTMENTS[0])],
                "offices": [stable_id(token, "office", SEED_OFFICES[0][0])],
                "hiring_managers": [],
                "recruiters": [],
                "raw_data": {
                    "id": int(remote),
                    "name": name,
                    "is_template": template,
                    "status": "draft" if template else "open",
                },
                **common,
            }
        )
    return tenant


def _detail(loc: list[str | int], msg: str, kind: str, value: Any = None) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind, "input": value}


def create_app(sandbox: BindbeeSandbox) -> FastAPI:
    app = FastAPI(title="Bindbee sandbox", docs_url=None, redoc_url=None)
    app.state.sandbox = sandbox

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        token = request.headers.get("x-connector-token")
        if token is None:
            return await call_next(request)
        allowed, remaining, reset_in = sandbox.quota.take(token)
        headers = {
            "X-RateLimit-Limit": str(sandbox.quota.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(time.time() + reset_in)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(reset_in)))
            return JSONResponse({"detail": "Rate limit exceeded"}, status_code=429, headers=headers)
        response = await call_next(request)
        response.headers.update(headers)
        return response

    def tenant(
        x_connector_token: Annotated[str, Header()],
        authorization: Annotated[str | None, Header()] = None,
    ) -> Tenant:
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or key != sandbox.api_key:
            raise HTTPException(401, "Invalid or missing API key", headers={"WWW-Authenticate": "Bearer"})
        found = sandbox.tenants.get(x_connector_token)
        if found is None:
            raise HTTPException(403, "Invalid connector token")
        return found

    TenantDep = Annotated[Tenant, Depends(tenant)]

    def render(
        kind: str, tenant: Tenant, record: dict[str, Any], raw: bool, custom: bool, expand: set[str]
    ) -> dict[str, Any]:
        out = {k: v for k, v in record.items() if k != "raw_data"}
        if raw:
            out["raw_data"] = record.get("raw_data")
        if not custom:
            out["custom_fields"] = None
        for key in expand & set(_EXPANDABLE) & set(out):
            target = _EXPANDABLE[key]

            def expanded(ref: Any, target: str = target) -> Any:
                found = tenant[target].get(str(ref))
                return render(target, tenant, found, False, False, set()) if found else ref

            value = out[key]
            out[key] = [expanded(i) for i in value] if isinstance(value, list) else expanded(value)
        return _MODELS[kind].model_validate(out).model_dump(mode="json", exclude_unset=True)

    def register_reads(kind: str) -> None:
        @app.get(f"/api/ats/v1/{kind}", name=f"list_{kind}")
        async def list_records(
            tenant: TenantDep,
            ids: str | None = None,
            remote_id: str | None = None,
            include_raw_data: bool = False,
            include_custom_fields: bool = False,
            page_size: Annotated[int, Query(ge=1, le=200)] = 50,
            cursor: str | None = None,
            modified_after: str | None = None,
            expand: str | None = None,
            code: str | None = None,
            status: str | None = None,
            offices: str | None = None,
            email_addresses: str | None = None,
            first_name: str | None = None,
            last_name: str | None = None,
            company: str | None = None,
        ) -> dict[str, Any]:
            offset = 0 if cursor is None else decode_cursor(cursor)
            if offset is None:
                raise HTTPException(400, "Invalid cursor")
            since = _parse_time(modified_after, "modified_after")
            wanted_ids = set(ids.split(",")) if ids else None
            wanted_offices = set(offices.split(",")) if offices else None
            wanted_emails = {e.strip().lower() for e in email_addresses.split(",")} if email_addresses else None
            candidate_filters = {"first_name": first_name, "last_name": last_name, "company": company}

            def keep(r: dict[str, Any]) -> bool:
                return (
                    (wanted_ids is None or r["id"] in wanted_ids)
                    and (remote_id is None or r.get("remote_id") == remote_id)
                    and (since is None or _parse_time(r["modified_at"], "modified_at") > since)  # type: ignore[operator]
                    and (kind != "jobs" or code is None or r.get("code") == code)
                    and (kind != "jobs" or status is None or r.get("status") == status)
                    and (kind != "jobs" or wanted_offices is None or bool(wanted_offices & set(r["offices"])))
                    and (
                        kind != "candidates"
                        or wanted_emails is None
                        or bool(wanted_emails & {e.lower() for e in r.get("email_addresses") or []})
                    )
                    and (kind != "candidates" or all(v is None or r.get(k) == v for k, v in candidate_filters.items()))
                )

            items, next_cursor = page(tenant[kind].find(keep), offset, page_size)
            expansions = set((expand or "").split(","))
            rendered = [render(kind, tenant, r, include_raw_data, include_custom_fields, expansions) for r in items]
            return {"cursor": next_cursor, "page_size": len(rendered), "items": rendered}

        @app.get(f"/api/ats/v1/{kind}/{{id}}", name=f"get_{kind}")
        async def get_record(
            id: uuid.UUID,
            tenant: TenantDep,
            include_raw_data: bool = False,
            include_custom_fields: bool = False,
            expand: str | None = None,
        ) -> dict[str, Any]:
            record = tenant[kind].get(str(id))
            if record is None:
                raise HTTPException(404, "Not found")
            expansions = set((expand or "").split(","))
            return render(kind, tenant, record, include_raw_data, include_custom_fields, expansions)

    for kind in _MODELS:
        register_reads(kind)

    faults = controls.install(app, lambda status: {"detail": f"Injected failure ({status})"})

    @app.post("/api/ats/v1/jobs", status_code=201)
    async def create_job(body: CreateAtsJob, tenant: TenantDep) -> dict[str, Any]:
        problems = _job_problems(body, tenant)
        if problems:
            return JSONResponse({"detail": problems}, status_code=422)  # type: ignore[return-value]
        stamp = now_iso()
        remote = tenant.remote_id()
        template = _template(tenant, body.template_id)
        record = {
            "id": str(uuid.uuid4()),
            "remote_id": remote,
            "modified_at": stamp,
            "custom_fields": {},
            "name": body.name,
            "description": body.description,
            "code": body.code,
            "status": body.status or "OPEN",
            "job_posting_urls": [u.model_dump() for u in body.job_posting_urls or []],
            "remote_created_at": stamp,
            "remote_updated_at": stamp,
            "confidential": body.confidential,
            "departments": [str(i) for i in body.departments or []],
            "offices": [str(i) for i in body.offices or []],
            "hiring_managers": [str(i) for i in body.hiring_managers or []],
            "recruiters": [str(i) for i in body.recruiters or []],
            "raw_data": {
                "id": int(remote),
                "name": body.name,
                "requisition_id": body.code,
                "is_template": False,
                "copied_from_id": int(template["remote_id"]) if template else None,
                "openings": [{"opening_id": f"{remote}-{n}"} for n in range(1, (body.openings or 0) + 1)],
                "status": (body.status or "OPEN").lower(),
            },
        }
        tenant["jobs"].add(record)
        faults.created["jobs"] += 1
        return render("jobs", tenant, record, False, False, set())

    @app.post("/api/ats/v1/candidates")
    async def create_candidate(body: CreateCandidate, tenant: TenantDep) -> dict[str, Any]:
        data = body.data
        problems = []
        if tenant.ats == "greenhouse":
            problems += [
                _detail(["body", "data", key], "Field required for Greenhouse", "missing")
                for key in ("first_name", "last_name")
                if getattr(data, key) is None
            ]
        if data.job_id is not None and tenant["jobs"].get(str(data.job_id)) is None:
            problems.append(_detail(["body", "data", "job_id"], "No job with this id", "value_error", str(data.job_id)))
        if body.remote_user_id is not None and tenant["remote-users"].get(body.remote_user_id) is None:
            problems.append(
                _detail(["body", "remote_user_id"], "No remote user with this id", "value_error", body.remote_user_id)
            )
        if problems:
            return JSONResponse({"detail": problems}, status_code=422)  # type: ignore[return-value]
        stamp, remote = now_iso(), tenant.remote_id()
        record = {
            "id": str(uuid.uuid4()),
            "remote_id": remote,
            "modified_at": stamp,
            "custom_fields": {},
            **data.model_dump(mode="json", exclude={"job_id", "job_interview_stage_id"}),
            "remote_created_at": stamp,
            "remote_updated_at": stamp,
            "raw_data": {"id": int(remote)},
        }
        record["applications"] = []
        tenant["candidates"].add(record)
        faults.created["candidates"] += 1
        if data.job_id is not None:
            _apply(tenant, record["id"], str(data.job_id), None)
        return render("candidates", tenant, record, False, False, set())

    @app.post("/api/ats/v1/applications")
    async def create_application(_: TenantDep) -> JSONResponse:  # authenticated like every call
        # Bindbee's spec.json declares no request body here (PROVENANCE.md), so there is nothing to emulate: the
        # sandbox refuses rather than accept a shape Bindbee never documented.
        detail = [_detail(["body"], "Bindbee documents no request body for this operation", "value_error")]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.post("/api/v1/passthrough")
    async def passthrough(body: Passthrough, tenant: TenantDep) -> dict[str, Any]:
        if tenant.ats != "greenhouse":
            return {"status": 404, "headers": {}, "data": {"message": "Passthrough is emulated for Greenhouse only"}}
        return _harvest(tenant, body)

    return app


def _apply(tenant: Tenant, candidate_id: str, job_id: str, source: str | None) -> dict[str, Any]:
    stamp = now_iso()
    remote = tenant.remote_id()
    record = {
        "id": str(uuid.uuid4()),
        "remote_id": remote,
        "modified_at": stamp,
        "custom_fields": {},
        "candidate": candidate_id,
        "job": job_id,
        "applied_at": stamp,
        "rejected_at": None,
        "source": source,
        "credited_to": None,
        "current_stage": None,
        "reject_reason": None,
        "raw_data": {"id": int(remote)},
    }
    tenant["applications"].add(record)
    tenant["candidates"].records[candidate_id]["applications"].append(record["id"])
    return record


HARVEST_TYPES = {
    "phone_numbers": ("home", "work", "mobile", "skype", "other"),
    "email_addresses": ("personal", "work", "other"),
    "website_addresses": ("personal", "company", "portfolio", "blog", "other"),
    "addresses": ("home", "work", "other"),
}
HARVEST_FIELDS = {
    "first_name",
    "last_name",
    "company",
    "title",
    "is_private",
    "tags",
    "custom_fields",
    "recruiter",
    "coordinator",
    "social_media_addresses",
    *HARVEST_TYPES,
}


def _harvest(tenant: Tenant, call: Passthrough) -> dict[str, Any]:
    """Greenhouse Harvest, as Bindbee's passthrough relays it: `{status, headers, data}` with Harvest's own answer.

    Harvest rules enforced: numeric ids in paths, `On-Behalf-Of` naming a Greenhouse user on every write, unknown
    body fields and bad values answered 422 with Harvest's `{message, errors[{message, field}]}`.
    """
    for method, pattern, handler in _HARVEST_ROUTES:
        match = re.fullmatch(pattern, call.path)
        if match is None or call.method != method:
            continue
        on_behalf = (call.headers or {}).get("On-Behalf-Of")
        if method != "GET" and not any(
            u.get("remote_id") == on_behalf for u in tenant["remote-users"].records.values()
        ):
            return _harvest_answer(403, {"message": "On-Behalf-Of must name a Greenhouse user"})
        return handler(tenant, match, call.data if isinstance(call.data, dict) else {})
    return _harvest_answer(404, {"message": "Resource not found"})


def _harvest_answer(status: int, data: Any) -> dict[str, Any]:
    return {"status": status, "headers": {}, "data": data}


def _harvest_invalid(errors: list[dict[str, str]]) -> dict[str, Any]:
    return _harvest_answer(422, {"message": "Validation error", "errors": errors})


def _by_remote_id(tenant: Tenant, kind: str, remote_id: str) -> dict[str, Any] | None:
    found = tenant[kind].find(lambda r: r.get("remote_id") == remote_id)
    return found[0] if found else None


def _harvest_edit_candidate(tenant: Tenant, match: re.Match[str], data: dict[str, Any]) -> dict[str, Any]:
    """`PATCH /v1/candidates/{id}` (reference bindbee-merge-greenhouse.md §3.4)."""
    record = _by_remote_id(tenant, "candidates", match.group(1))
    if record is None:
        return _harvest_answer(404, {"message": "Resource not found"})
    errors = [{"message": "Unknown field", "field": key} for key in data if key not in HARVEST_FIELDS]
    for key, allowed in HARVEST_TYPES.items():
        for item in data.get(key) or []:
            if not isinstance(item, dict) or item.get("type") not in allowed or not item.get("value"):
                errors.append({"message": f"Must be one of: {', '.join(allowed)}", "field": f"{key}.type"})
    if errors:
        return _harvest_invalid(errors)
    for key in ("first_name", "last_name", "company", "title"):
        if key in data:
            record[key] = data[key]
    if "email_addresses" in data:
        record["email_addresses"] = [e["value"] for e in data["email_addresses"]]
    if "phone_numbers" in data:
        record["phone_numbers"] = [p["value"] for p in data["phone_numbers"]]
    if "social_media_addresses" in data or "website_addresses" in data:
        record["urls"] = [
            {"value": s["value"], "url_type": "SOCIAL_MEDIA"} for s in data.get("social_media_addresses") or []
        ]
        record["urls"] += [
            {"value": w["value"], "url_type": w["type"].upper() if w["type"] != "other" else "OTHER"}
            for w in data.get("website_addresses") or []
        ]
    record["modified_at"] = record["remote_updated_at"] = now_iso()
    harvest = {
        "id": int(record["remote_id"]),
        "first_name": record["first_name"],
        "last_name": record["last_name"],
        "company": record["company"],
        "title": record["title"],
        "email_addresses": data.get("email_addresses", []),
        "phone_numbers": data.get("phone_numbers", []),
    }
    return _harvest_answer(200, harvest)


_ADD_APPLICATION_FIELDS = {
    "job_id",
    "source_id",
    "initial_stage_id",
    "referrer",
    "recruiter_id",
    "coordinator_id",
    "attachments",
}


def _harvest_add_application(tenant: Tenant, match: re.Match[str], data: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/candidates/{id}/applications`, a candidate (not prospect) application (reference
    greenhouse-harvest-applications.md §1.11). Bindbee's synced copy shows it at once here; the real one after a
    sync."""
    candidate = _by_remote_id(tenant, "candidates", match.group(1))
    if candidate is None:
        return _harvest_answer(404, {"message": "Resource not found"})
    errors = [{"message": "Unknown field", "field": key} for key in data if key not in _ADD_APPLICATION_FIELDS]
    for key in ("job_id", "source_id", "initial_stage_id", "recruiter_id", "coordinator_id"):
        if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool)):
            errors.append({"message": "Must be an integer", "field": key})
    if "job_id" not in data:
        errors.append({"message": "Required", "field": "job_id"})
    job = _by_remote_id(tenant, "jobs", str(data.get("job_id")))
    if "job_id" in data and not errors and job is None:
        errors.append({"message": "Job not found", "field": "job_id"})
    if errors or job is None:
        return _harvest_invalid(errors)
    record = _apply(tenant, candidate["id"], job["id"], None)
    harvest = {
        "id": int(record["remote_id"]),
        "candidate_id": int(candidate["remote_id"]),
        "prospect": False,
        "applied_at": record["applied_at"],
        "rejected_at": None,
        "last_activity_at": record["applied_at"],
        "source": None,
        "status": "active",
        "current_stage": None,
        "jobs": [{"id": int(job["remote_id"]), "name": job["name"]}],
        "rejection_reason": None,
    }
    return _harvest_answer(200, harvest)


_HarvestHandler = Callable[[Tenant, "re.Match[str]", dict[str, Any]], dict[str, Any]]
_HARVEST_ROUTES: tuple[tuple[str, str, _HarvestHandler], ...] = (
    ("PATCH", r"/v1/candidates/(\d+)", _harvest_edit_candidate),
    ("POST", r"/v1/candidates/(\d+)/applications", _harvest_add_application),
)


def _template(tenant: Tenant, template_id: str | None) -> dict[str, Any] | None:
    if template_id is None:
        return None
    found = tenant["jobs"].find(
        lambda r: (
            (r["id"] == template_id or r.get("remote_id") == template_id)
            and bool((r.get("raw_data") or {}).get("is_template"))
        )
    )
    return found[0] if found else None


def _job_problems(body: CreateAtsJob, tenant: Tenant) -> list[dict[str, Any]]:
    problems = []
    for key, kind in (
        ("departments", "departments"),
        ("offices", "offices"),
        ("hiring_managers", "remote-users"),
        ("recruiters", "remote-users"),
    ):
        for i, ref in enumerate(getattr(body, key) or []):
            if tenant[kind].get(str(ref)) is None:
                problems.append(_detail(["body", key, i], f"No {kind} record with id {ref}", "value_error", str(ref)))
    if body.remote_user_id is not None and tenant["remote-users"].get(str(body.remote_user_id)) is None:
        problems.append(
            _detail(
                ["body", "remote_user_id"],
                "No remote user with this id",
                "value_error",
                str(body.remote_user_id),
            )
        )
    if body.template_id is not None and _template(tenant, body.template_id) is None:
        problems.append(
            _detail(
                ["body", "template_id"],
                "No template job with this id or remote_id",
                "value_error",
                body.template_id,
            )
        )
    if tenant.ats == "greenhouse":
        for key in ("template_id", "remote_user_id", "openings"):
            if getattr(body, key) is None:
                problems.append(_detail(["body", key], "Field required for Greenhouse", "missing"))
        if len(body.departments or []) > 1:
            problems.append(
                _detail(
                    ["body", "departments"],
                    "Greenhouse jobs take a single department",
                    "too_long",
                    [str(d) for d in body.departments or []],
                )
            )
    return problems


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(
            422, [_detail(["query", name], "Input should be a valid datetime", "datetime_parsing", value)]
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # Bindbee: UTC when no offset
