"""A local emulator of StackOne's unified ATS API, as StackOne documents it (../shared/vendor/stackone, reference).

Basic auth with the API key as user name, `x-account-id` naming a linked account, StackOne's error envelope
`{statusCode, message, timestamp}` (400 with `data`, provider errors with `provider_errors`), `{next, data}` pages
of at most 100, and 429 + `Retry-After` past 1,000 requests per minute per API key.
"""

import base64
import binascii
import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sandbox import controls
from sandbox.common import (
    SEED_DEPARTMENTS,
    SEED_JOBS,
    SEED_OFFICES,
    SEED_REJECTED_REASONS,
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
from sandbox.stackone_models import (
    AtsCreateApplicationRequestDto,
    AtsCreateCandidateRequestDto,
    AtsCreateCandidatesAssessmentsRequestDto,
    AtsCreateJobRequestDto,
    AtsJob,
    AtsJobStatusEnum,
    AtsUpdateCandidateRequestDto,
    AtsUpdateJobRequestDto,
    Candidate,
    CandidateEmail,
    CreateAssessmentOrderResult,
)

RATE_LIMIT_PER_MINUTE = 1000
PROVIDER_URLS = {"greenhouse": "https://harvest.greenhouse.io/v1/jobs"}
_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    422: "Unprocessable Entity",
    429: "Too many requests",
}


class StackOneError(Exception):
    def __init__(self, status: int, message: str | None = None, **extra: Any) -> None:
        self.status = status
        self.message = message or _MESSAGES.get(status, "Error")
        self.extra = extra
        self.headers: dict[str, str] = {}


@dataclass
class StackOneSandbox:
    api_keys: set[str]
    accounts: dict[str, str]
    """Linked account id → the provider behind it (e.g. "greenhouse")."""
    requests_per_minute: int = RATE_LIMIT_PER_MINUTE
    seed_candidates: int = 0
    short_pages: bool = False
    """Answer some pages with fewer records than asked, as StackOne documents it may (a walk must go on)."""
    tenants: dict[str, Tenant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.quota = MinuteQuota(self.requests_per_minute)
        for account, provider in self.accounts.items():
            self.tenants[account] = seed_tenant(account, provider, self.seed_candidates)


def seed_tenant(account: str, provider: str, extra_candidates: int = 0) -> Tenant:
    tenant = Tenant(ats=provider)
    stamp = now_iso()
    for i, person in enumerate(seed_people(extra_candidates), start=1):
        tenant["candidates"].add(
            Candidate(
                id=stable_id(account, "candidate", person.email),
                remote_id=str(5_100_000 + i),
                name=f"{person.first_name} {person.last_name}",
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                emails=[CandidateEmail(type="personal", value=person.email)],
                phone_numbers=[],
                social_links=[],
                application_ids=[],
                tags=[],
                created_at=stamp,
                updated_at=stamp,
            ).model_dump(mode="json")
        )
    for i, name in enumerate(SEED_DEPARTMENTS, start=1):
        tenant["departments"].add(
            {
                "id": stable_id(account, "department", name),
                "remote_id": str(5_000_100 + i),
                "name": name,
                "unified_custom_fields": None,
            }
        )
    for i, (label, kind) in enumerate(SEED_REJECTED_REASONS, start=1):
        tenant["rejected_reasons"].add(
            {
                "id": stable_id(account, "rejected_reason", label),
                "remote_id": str(5_000_400 + i),
                "label": label,
                "type": kind,
                "rejected_reason_type": {"value": kind, "source_value": label},
                "unified_custom_fields": None,
            }
        )
    for i, (name, _) in enumerate(SEED_OFFICES, start=1):
        tenant["locations"].add(
            {
                "id": stable_id(account, "location", name),
                "remote_id": str(5_000_200 + i),
                "name": name,
                "unified_custom_fields": None,
            }
        )
    for i, person in enumerate(SEED_USERS, start=1):
        tenant["users"].add(
            {
                "id": stable_id(account, "user", person.email),
                "remote_id": str(5_000_300 + i),
                "first_name": person.first_name,
                "last_name": person.last_name,
                "name": f"{person.first_name} {person.last_name}",
                "email": person.email,
                "phone": None,
                "unified_custom_fields": None,
            }
        )
    for i, name in enumerate((SEED_TEMPLATE_JOB, *SEED_JOBS), start=1):
        job = AtsJob(
            id=stable_id(account, "job", name),
            remote_id=str(5_033_879_000 + i),
            title=name,
            job_status=AtsJobStatusEnum(value="open", source_value="Open"),
            department_ids=[stable_id(account, "department", SEED_DEPARTMENTS[0])],
            location_ids=[stable_id(account, "location", SEED_OFFICES[0][0])],
            hiring_team=[],
            confidential="false",
            created_at=stamp,
            updated_at=stamp,
        )
        _derive(tenant, job)
        tenant["jobs"].add(job.model_dump(mode="json"))
    return tenant


def _envelope(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"statusCode": status, "message": message, "timestamp": now_iso(), **extra}


def create_app(sandbox: StackOneSandbox) -> FastAPI:
    app = FastAPI(title="StackOne sandbox", docs_url=None, redoc_url=None)
    app.state.sandbox = sandbox

    @app.exception_handler(StackOneError)
    async def stackone_error(_: Request, exc: StackOneError) -> JSONResponse:
        return JSONResponse(_envelope(exc.status, exc.message, **exc.extra), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        body = _envelope(400, "Bad Request", data={"statusCode": 400, "message": details, "headers": {}})
        return JSONResponse(body, 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            _envelope(exc.status_code, _MESSAGES.get(exc.status_code, str(exc.detail))), exc.status_code
        )

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        allowed, _, reset_in = sandbox.quota.take(_api_key(request.headers.get("authorization")) or "")
        if not allowed:
            return JSONResponse(
                _envelope(429, "Too many requests"),
                429,
                headers={"Retry-After": str(max(1, math.ceil(reset_in)))},
            )
        return await call_next(request)

    def tenant(
        authorization: Annotated[str | None, Header()] = None,
        x_account_id: Annotated[str | None, Header()] = None,
    ) -> Tenant:
        if _api_key(authorization) not in sandbox.api_keys:
            raise StackOneError(401)
        if not x_account_id:
            raise StackOneError(
                400,
                "Bad Request",
                data={"statusCode": 400, "message": "x-account-id is required", "headers": {}},
            )
        found = sandbox.tenants.get(x_account_id)
        if found is None:
            raise StackOneError(404, "Invalid account ID")
        return found

    TenantDep = Annotated[Tenant, Depends(tenant)]

    def register_reads(kind: str) -> None:
        @app.get(f"/unified/ats/{kind}", name=f"list_{kind}")
        async def list_records(
            request: Request,
            tenant: TenantDep,
            next: str | None = None,
            page_size: str | None = None,
        ) -> dict[str, Any]:
            size = _page_size(page_size)
            offset = 0 if next is None else decode_cursor(next)
            if offset is None:
                raise StackOneError(
                    400,
                    "Bad Request",
                    data={"statusCode": 400, "message": "invalid next cursor", "headers": {}},
                )
            filters = {k[7:-1]: v for k, v in request.query_params.items() if k.startswith("filter[")}
            records = tenant[kind].find(lambda r: _matches(r, filters))
            # Documented: "we may return fewer results than the requested page size". Every third page is short.
            short = sandbox.short_pages and size > 1 and (offset // size) % 3 == 1
            items, following = page(records, offset, size - 1 if short else size)
            return {"next": following, "data": items}

        @app.get(f"/unified/ats/{kind}/{{record_id}}", name=f"get_{kind}")
        async def get_record(record_id: str, tenant: TenantDep) -> dict[str, Any]:
            record = tenant[kind].get(record_id)
            if record is None:
                raise StackOneError(404)
            return {"data": record}

    for kind in ("jobs", "candidates", "applications", "departments", "locations", "users", "rejected_reasons"):
        register_reads(kind)

    faults = controls.install(app, lambda status: _envelope(status, _MESSAGES.get(status, "Error")))

    @app.post("/unified/ats/jobs", status_code=201)
    async def create_job(body: AtsCreateJobRequestDto, tenant: TenantDep) -> dict[str, Any]:
        _check_references(tenant, body)
        stamp = now_iso()
        fields = body.model_dump(mode="json", exclude={"passthrough"}, exclude_unset=True)
        record = AtsJob.model_validate(
            {
                **fields,
                "id": str(uuid.uuid4()),
                "remote_id": tenant.remote_id(),
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        _derive(tenant, record)
        stored = tenant["jobs"].add(record.model_dump(mode="json"))
        faults.created["jobs"] += 1
        return _envelope(
            201, "Record created successfully.", data={"id": stored["id"], "remote_id": stored["remote_id"]}
        )

    @app.patch("/unified/ats/jobs/{record_id}")
    async def update_job(record_id: str, body: AtsUpdateJobRequestDto, tenant: TenantDep) -> dict[str, Any]:
        stored = tenant["jobs"].get(record_id)
        if stored is None:
            raise StackOneError(404)
        _check_references(tenant, body)
        changes = body.model_dump(mode="json", exclude={"passthrough"}, exclude_unset=True)
        record = AtsJob.model_validate({**stored, **changes, "updated_at": now_iso()})
        _derive(tenant, record)
        tenant["jobs"].add(record.model_dump(mode="json"))
        return _envelope(200, "Record updated successfully.", data={"id": record.id, "remote_id": record.remote_id})

    @app.post("/unified/ats/candidates", status_code=201)
    async def create_candidate(body: AtsCreateCandidateRequestDto, tenant: TenantDep) -> dict[str, Any]:
        record = _new_candidate(tenant, body)
        faults.created["candidates"] += 1
        return _envelope(
            201, "Record created successfully.", data={"id": record["id"], "remote_id": record["remote_id"]}
        )

    @app.patch("/unified/ats/candidates/{record_id}")
    async def update_candidate(record_id: str, body: AtsUpdateCandidateRequestDto, tenant: TenantDep) -> dict[str, Any]:
        stored = tenant["candidates"].get(record_id)
        if stored is None:
            raise StackOneError(404)
        changes = body.model_dump(mode="json", exclude={"passthrough"}, exclude_unset=True)
        record = Candidate.model_validate({**stored, **changes, "updated_at": now_iso()})
        tenant["candidates"].add(record.model_dump(mode="json"))
        return _envelope(200, "Record updated successfully.", data={"id": record.id, "remote_id": record.remote_id})

    @app.post("/unified/ats/applications", status_code=201)
    async def create_application(body: AtsCreateApplicationRequestDto, tenant: TenantDep) -> dict[str, Any]:
        if (body.candidate_id is None) == (body.candidate is None):
            raise StackOneError(
                400,
                "Bad Request",
                data={"statusCode": 400, "headers": {}, "message": "Provide candidate_id OR candidate, not both"},
            )
        if body.job_id is None or tenant["jobs"].get(body.job_id) is None:
            raise StackOneError(
                422,
                "Unprocessable Entity",
                provider_errors=[
                    {"status": 422, "url": "provider", "raw": {"message": "job_id must name an existing job"}}
                ],
            )
        if body.candidate is not None:
            candidate = _new_candidate(tenant, body.candidate)
        else:
            candidate = tenant["candidates"].get(body.candidate_id or "") or {}
            if not candidate:
                raise StackOneError(404)
        stamp = now_iso()
        job = tenant["jobs"].records[body.job_id]
        record = {
            "id": str(uuid.uuid4()),
            "remote_id": tenant.remote_id(),
            "candidate_id": candidate["id"],
            "remote_candidate_id": candidate["remote_id"],
            "job_id": job["id"],
            "remote_job_id": job["remote_id"],
            "application_status": body.application_status or {"value": "active", "source_value": "Active"},
            "source": body.source,
            "candidate": {
                k: candidate.get(k)
                for k in (
                    "name",
                    "first_name",
                    "last_name",
                    "email",
                    "emails",
                    "phone_numbers",
                    "social_links",
                    "company",
                    "title",
                )
            },
            "created_at": stamp,
            "updated_at": stamp,
        }
        tenant["applications"].add(record)
        candidate.setdefault("application_ids", []).append(record["id"])
        faults.created["applications"] += 1
        return _envelope(
            201, "Record created successfully.", data={"id": record["id"], "remote_id": record["remote_id"]}
        )

    @app.post("/unified/ats/assessments/orders")
    async def order_assessment(body: AtsCreateCandidatesAssessmentsRequestDto, tenant: TenantDep) -> dict[str, Any]:
        order_id = str(uuid.uuid4())
        package = (body.package or {}).get("id")
        faults.created["assessment_orders"] += 1
        return CreateAssessmentOrderResult(
            id=order_id,
            remote_id=tenant.remote_id(),
            test_url=f"https://assessments.example/tests/{order_id}?package={package}",
        ).model_dump()

    return app


def _new_candidate(tenant: Tenant, body: AtsCreateCandidateRequestDto) -> dict[str, Any]:
    stamp = now_iso()
    fields = body.model_dump(mode="json", exclude={"passthrough", "phone_number"}, exclude_unset=True)
    record = Candidate.model_validate(
        {
            **fields,
            "id": str(uuid.uuid4()),
            "remote_id": tenant.remote_id(),
            "created_at": stamp,
            "updated_at": stamp,
            "emails": [{"type": None, "value": body.email}] if body.email else [],
            "application_ids": [],
            "tags": [],
        }
    )
    return tenant["candidates"].add(record.model_dump(mode="json"))


def _api_key(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _ = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user


def _page_size(raw: str | None) -> int:
    if raw is None:
        return 25
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise StackOneError(
            400,
            "Bad Request",
            data={"statusCode": 400, "message": "page_size must be 1 to 100", "headers": {}},
        )
    return int(raw)


def _matches(record: dict[str, Any], filters: dict[str, str]) -> bool:
    for key, value in filters.items():
        if key in ("updated_after", "created_after"):
            stamp = record.get("updated_at" if key == "updated_after" else "created_at")
            if stamp is None or _time(stamp) <= _time(value):
                return False
        elif key == "email":
            emails = {record.get("email"), *((e or {}).get("value") for e in record.get("emails") or [])}
            if value.lower() not in {e.lower() for e in emails if e}:
                return False
        elif key == "job_id":
            if record.get("job_id") != value:
                return False
        elif key in ("job_status", "status"):
            if value not in ("open", "draft"):
                raise StackOneError(
                    400,
                    "Bad Request",
                    data={
                        "statusCode": 400,
                        "headers": {},
                        "message": f"filter[{key}] must be open or draft",
                    },
                )
            if (record.get("job_status") or {}).get("value") != value:
                return False
    return True


def _time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise StackOneError(
            400,
            "Bad Request",
            data={"statusCode": 400, "message": f"invalid date-time {value}", "headers": {}},
        ) from None


def _check_references(tenant: Tenant, body: AtsCreateJobRequestDto) -> None:
    """Unknown ids are refused by the provider behind StackOne; StackOne relays that as 422 with provider_errors."""
    unknown = [f"department {i}" for i in body.department_ids or [] if tenant["departments"].get(i) is None]
    unknown += [f"location {i}" for i in body.location_ids or [] if tenant["locations"].get(i) is None]
    unknown += [
        f"user {m.user_id}"
        for m in body.hiring_team or []
        if m.user_id is not None and tenant["users"].get(m.user_id) is None
    ]
    if unknown:
        url = PROVIDER_URLS.get(tenant.ats, f"https://api.{tenant.ats}.example/jobs")
        raise StackOneError(
            422,
            "Unprocessable Entity",
            provider_errors=[
                {
                    "status": 422,
                    "url": url,
                    "raw": {
                        "message": "Validation error",
                        "errors": [{"message": f"Unknown {what}", "field": what.split()[0]} for what in unknown],
                    },
                    "headers": {},
                }
            ],
        )


def _derive(tenant: Tenant, record: AtsJob) -> None:
    """Fields StackOne fills from the provider's record: remote ids of references, status from the old field."""
    if record.department_ids is not None:
        record.remote_department_ids = [tenant["departments"].records[i]["remote_id"] for i in record.department_ids]
    if record.location_ids is not None:
        record.remote_location_ids = [tenant["locations"].records[i]["remote_id"] for i in record.location_ids]
    if record.job_status is None and record.status is not None:
        record.job_status = AtsJobStatusEnum(value="unmapped_value", source_value=record.status)
