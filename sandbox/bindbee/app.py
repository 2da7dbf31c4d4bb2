"""Bindbee's HTTP surface: auth and rate limits on every call, the reads built from the resource table, the
documented creates, the undocumented ones refused, the passthrough to Harvest, and the attachment files."""

import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from sandbox import controls
from sandbox.bindbee import files, harvest, writes
from sandbox.bindbee.models import (
    AtsAttachmentWrite,
    AtsCandidateWrite,
    CreateAtsActivity,
    CreateAtsJob,
    CreateCandidate,
    Passthrough,
    PostCandidate,
)
from sandbox.bindbee.resources import (
    BY_PATH,
    RESOURCES,
    GetQuery,
    ListQuery,
    Resource,
    get_query,
    list_query,
    parse_expand,
    selects,
)
from sandbox.bindbee.seed import seed_tenant
from sandbox.common import MinuteQuota, Tenant, decode_cursor, page

RATE_LIMIT_PER_MINUTE = 200
BASE = "/api/ats/v1"
UNDOCUMENTED_BODY = "Bindbee documents no request body for this operation"


@dataclass
class BindbeeSandbox:
    api_key: str
    connectors: dict[str, str]
    """Connector token → the ATS behind it (e.g. "greenhouse")."""
    requests_per_minute: int = RATE_LIMIT_PER_MINUTE
    seed_labels: dict[str, str] = field(default_factory=dict)
    """Connector token → the name seed ids derive from (default: the token), so ids outlive generated tokens."""
    seed_candidates: int = 0
    base_url: str = "http://bindbee.sandbox.invalid"
    """Where the sandbox is reached: attachment `file_url`s point here."""
    tenants: dict[str, Tenant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.quota = MinuteQuota(self.requests_per_minute)
        self.files = files.FileStore(self.base_url)
        for token, ats in self.connectors.items():
            label = self.seed_labels.get(token, token)
            self.tenants[token] = seed_tenant(label, ats, self.files, self.seed_candidates)


def _tenant(
    request: Request,
    x_connector_token: Annotated[str, Header()],
    authorization: Annotated[str | None, Header()] = None,
) -> Tenant:
    """Every Bindbee call: the organisation's Bearer API key, and a connector token naming one connection."""
    sandbox: BindbeeSandbox = request.app.state.sandbox
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or key != sandbox.api_key:
        raise HTTPException(401, "Invalid or missing API key", headers={"WWW-Authenticate": "Bearer"})
    found = sandbox.tenants.get(x_connector_token)
    if found is None:
        raise HTTPException(403, "Invalid connector token")
    return found


TenantDep = Annotated[Tenant, Depends(_tenant)]


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

    @app.exception_handler(writes.Invalid)
    async def invalid(_: Request, exc: writes.Invalid) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=422)

    faults = controls.install(app, lambda status: {"detail": f"Injected failure ({status})"})
    files.install(app, sandbox.files)

    # Before the reads: `/candidates/{id}` would take "create" for an id.
    @app.get(f"{BASE}/candidates/create/meta")
    async def create_candidate_meta(tenant: TenantDep) -> Any:
        """The create-candidate request structure for this connector's ATS; Bindbee answers 501 where the
        integration publishes none (docs-test). Its shape is undocumented (a free object in the excerpt)."""
        if tenant.ats != "greenhouse":
            return JSONResponse({"detail": "The meta schema is not published for this integration"}, 501)
        required = {"first_name", "last_name"}
        model = {name: {"required": name in required} for name in PostCandidate.model_fields}
        return {
            "success": True,
            "data": {"model": model, "additional_attributes": {}, "custom_fields": {}},
            "error": None,
        }

    for resource in RESOURCES:
        _register_reads(app, resource)
        if resource.undocumented_create:
            _refuse_create(app, resource.path)

    @app.post(f"{BASE}/jobs", status_code=201)
    async def create_job(body: CreateAtsJob, tenant: TenantDep) -> dict[str, Any]:
        record = writes.create_job(tenant, body)
        faults.created["jobs"] += 1
        return render(BY_PATH["jobs"], tenant, record)

    @app.post(f"{BASE}/candidates")
    async def create_candidate(body: CreateCandidate | AtsCandidateWrite, tenant: TenantDep) -> dict[str, Any]:
        record = writes.create_candidate(tenant, sandbox.files, body)
        faults.created["candidates"] += 1
        return render(BY_PATH["candidates"], tenant, record)

    @app.post(f"{BASE}/activities", status_code=201)
    async def create_activity(body: CreateAtsActivity, tenant: TenantDep) -> dict[str, Any]:
        record = writes.create_activity(tenant, body)
        faults.created["activities"] += 1
        return render(BY_PATH["activities"], tenant, record)

    @app.post(f"{BASE}/candidates/{{candidate_id}}/attachments")
    async def create_candidate_attachment(
        candidate_id: uuid.UUID, body: AtsAttachmentWrite, tenant: TenantDep
    ) -> dict[str, Any]:
        candidate = str(candidate_id)
        if tenant["candidates"].get(candidate) is None:
            raise HTTPException(404, "Not found")  # documented in spec.json, left out of the excerpt
        problems = writes.attachment_problems(tenant, candidate, body)
        if problems:
            raise writes.Invalid(problems)
        record = writes.attach(tenant, sandbox.files, candidate, body)
        faults.created["attachments"] += 1
        return render(BY_PATH["attachments"], tenant, record)

    @app.post("/api/v1/passthrough")
    async def passthrough(body: Passthrough, tenant: TenantDep) -> dict[str, Any]:
        if tenant.ats != "greenhouse":
            return {"status": 404, "headers": {}, "data": {"message": "Passthrough is emulated for Greenhouse only"}}
        return harvest.relay(tenant, sandbox.files, body)

    return app


def _register_reads(app: FastAPI, resource: Resource) -> None:
    # The query models are built from the resource table at startup; FastAPI reads the annotations at runtime,
    # the type checker sees the base models they extend.
    if TYPE_CHECKING:
        ListModel: TypeAlias = ListQuery
        GetModel: TypeAlias = GetQuery
    else:
        ListModel, GetModel = list_query(resource), get_query(resource)

    @app.get(f"{BASE}/{resource.path}", name=f"list_{resource.path}")
    async def list_records(
        tenant: TenantDep,
        query: Annotated[ListModel, Query()],
    ) -> dict[str, Any]:
        offset = 0 if query.cursor is None else decode_cursor(query.cursor)
        if offset is None:
            raise HTTPException(400, "Invalid cursor")
        since = _parse_time(query.modified_after, "modified_after")

        def keep(record: dict[str, Any]) -> bool:
            return (since is None or _synced(record) > since) and selects(resource, query, record)

        items, next_cursor = page(tenant[resource.path].find(keep), offset, query.page_size)
        expand = parse_expand(getattr(query, "expand", None))
        rendered = [
            render(resource, tenant, r, query.include_raw_data, query.include_custom_fields, expand) for r in items
        ]
        return {"cursor": next_cursor, "page_size": len(rendered), "items": rendered}

    @app.get(f"{BASE}/{resource.path}/{{id}}", name=f"get_{resource.path}")
    async def get_record(
        id: uuid.UUID,
        tenant: TenantDep,
        query: Annotated[GetModel, Query()],
    ) -> dict[str, Any]:
        record = tenant[resource.path].get(str(id))
        if record is None:
            raise HTTPException(404, "Not found")
        expand = parse_expand(getattr(query, "expand", None))
        return render(resource, tenant, record, query.include_raw_data, query.include_custom_fields, expand)


def _refuse_create(app: FastAPI, path: str) -> None:
    """A create whose body Bindbee does not document (PROVENANCE.md): nothing to emulate, so the sandbox refuses
    rather than accept a shape Bindbee never documented. Authenticated like every call."""

    @app.post(f"{BASE}/{path}", name=f"create_{path}")
    async def refuse(_: TenantDep) -> JSONResponse:
        return JSONResponse({"detail": [writes.detail(["body"], UNDOCUMENTED_BODY)]}, status_code=422)


def render(
    resource: Resource,
    tenant: Tenant,
    record: dict[str, Any],
    raw: bool = False,
    custom: bool = False,
    expand: dict[str, set[str] | None] | None = None,
) -> dict[str, Any]:
    """A record as Bindbee answers it: `raw_data` only when asked, custom fields only when asked, and each
    relation `expand` names opened into the related record (only the listed fields, and the id, when given)."""
    out = {k: v for k, v in record.items() if k != "raw_data"}
    if raw:
        out["raw_data"] = record.get("raw_data")
    if not custom:
        out["custom_fields"] = None
    for name, fields in (expand or {}).items():
        target = resource.relations.get(name)
        if target is None or out.get(name) is None:
            continue

        def opened(ref: Any, target: str = target, fields: set[str] | None = fields) -> Any:
            found = tenant[target].get(str(ref))
            if found is None:
                return ref
            related = render(BY_PATH[target], tenant, found)
            return related if fields is None else {k: v for k, v in related.items() if k in fields or k == "id"}

        value = out[name]
        out[name] = [opened(v) for v in value] if isinstance(value, list) else opened(value)
    return resource.model.model_validate(out).model_dump(mode="json", exclude_unset=True)


def _synced(record: dict[str, Any]) -> datetime:
    parsed = _parse_time(record["modified_at"], "modified_at")
    assert parsed is not None
    return parsed


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        detail = writes.detail(["query", name], "Input should be a valid datetime", "datetime_parsing", value)
        raise HTTPException(422, [detail]) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # Bindbee: UTC when no offset
