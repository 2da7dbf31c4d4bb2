"""A local emulator of Merge's ATS API, as Merge documents it (../shared/vendor/merge/ats.openapi.json, reference
bindbee-merge-greenhouse.md §2), at `/api/ats/v1/…` like api.merge.dev.

- Auth: `Authorization: Bearer <production API key>` and `X-Account-Token` naming the linked account (each a
  tenant with its ATS); either missing or wrong is 401 (help.merge.dev 9660257), in DRF's `{"detail": …}`.
- Reads: the list and retrieve endpoints of merge_reads, paged as merge_paging describes.
- Writes: candidates (POST, PATCH), applications (POST, change-stage), attachments, activities and interviews
  (POST), each with its `/meta/post` (and `/candidates/meta/patch/{id}`), as merge_writes describes; jobs are read
  only, as in Merge. `Idempotency-Key` on POST as merge_idempotency describes.
- Rate limit per linked account (docs.merge.dev basics/rate-limits: 100, 400 or 600 requests a minute by plan;
  100 here unless configured). Merge documents no rate-limit headers; past the limit the answer is DRF's throttle:
  429 `{"detail": "Request was throttled. Expected available in N seconds."}` with `Retry-After: N`.
- Attachment files are served by the sandbox itself at `{base_url}/files/{id}/{name}` (like the ATS's signed
  URLs Merge hands out, they need no credentials).
- Test controls under `/_sandbox/` (sandbox/controls.py); `/_sandbox/stats` counts creates per resource.
"""

import json
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sandbox import controls, merge_idempotency
from sandbox.common import MinuteQuota, Tenant
from sandbox.merge_errors import MergeError, detail, not_found
from sandbox.merge_paging import InvalidCursor, page, page_size
from sandbox.merge_reads import RESOURCES, flag, matching, render
from sandbox.merge_seed import StoredFile, seed_tenant
from sandbox.merge_store import Clock, Records
from sandbox.merge_writes import CREATES, UPDATE_CANDIDATE, Write, change_stage, meta, perform

API = "/api/ats/v1"
PLANS = {"launch": 100, "professional": 400, "enterprise": 600}
"""Requests per minute per linked account (docs.merge.dev basics/rate-limits)."""
RATE_LIMIT_PER_MINUTE = PLANS["launch"]


@dataclass
class MergeSandbox:
    api_key: str
    accounts: dict[str, str]
    """Linked account token → the ATS behind it (e.g. "greenhouse")."""
    base_url: str = "http://127.0.0.1:9003"
    """Where the sandbox is reached: the origin of the file URLs it hands out."""
    requests_per_minute: int = RATE_LIMIT_PER_MINUTE
    idempotency: bool = True
    """Whether Merge's (beta) Idempotency-Key is enabled for this organisation."""
    seed_labels: dict[str, str] = field(default_factory=dict)
    """Account token → the name seed ids derive from (default: the token), so ids outlive generated tokens."""
    seed_candidates: int = 0
    tenants: dict[str, Tenant] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.quota = MinuteQuota(self.requests_per_minute)
        self.idempotency_log = merge_idempotency.IdempotencyLog()
        for token, ats in self.accounts.items():
            label = self.seed_labels.get(token, token)
            self.tenants[token], files = seed_tenant(label, ats, self.clock, self.base_url, self.seed_candidates)
            self.files |= files

    def records(self, token: str) -> Records:
        return Records(self.tenants[token], self.clock)

    def authorized(self, request: Request) -> bool:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and key == self.api_key

    def account(self, request: Request) -> str | None:
        """The linked account a request is authorised for, or None."""
        token = request.headers.get("x-account-token")
        return token if token in self.tenants and self.authorized(request) else None


def _throttled(wait: int) -> JSONResponse:
    unit = "second" if wait == 1 else "seconds"
    body = {"detail": f"Request was throttled. Expected available in {wait} {unit}."}
    return JSONResponse(body, 429, headers={"Retry-After": str(wait)})


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/json":
        raise detail(415, f'Unsupported media type "{kind}" in request.')
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise detail(400, f"JSON parse error - {exc}") from None


def create_app(sandbox: MergeSandbox) -> FastAPI:
    app = FastAPI(title="Merge sandbox", docs_url=None, redoc_url=None)
    app.state.sandbox = sandbox

    @app.exception_handler(MergeError)
    async def merge_error(_: Request, exc: MergeError) -> JSONResponse:
        return JSONResponse(exc.body, exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 405:
            return JSONResponse({"detail": f'Method "{request.method}" not allowed.'}, 405)
        return JSONResponse({"detail": "Not found." if exc.status_code == 404 else str(exc.detail)}, exc.status_code)

    merge_idempotency.install(
        app, sandbox.idempotency_log, lambda r: sandbox.account(r) if sandbox.idempotency else None
    )

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        token = request.headers.get("x-account-token")
        if token not in sandbox.tenants or not request.url.path.startswith(API):
            return await call_next(request)
        allowed, _, reset_in = sandbox.quota.take(token)
        return await call_next(request) if allowed else _throttled(max(1, math.ceil(reset_in)))

    faults = controls.install(app, lambda status: {"detail": f"Injected failure ({status})"})

    def account(request: Request) -> Records:
        if not request.headers.get("authorization"):
            raise detail(401, "Authentication credentials were not provided.", {"WWW-Authenticate": "Bearer"})
        if not sandbox.authorized(request):
            raise detail(401, "Invalid token.", {"WWW-Authenticate": "Bearer"})
        token = request.headers.get("x-account-token")
        if not token:
            raise detail(401, "The X-Account-Token header is required.")
        if token not in sandbox.tenants:
            raise detail(401, "Invalid X-Account-Token.")
        return sandbox.records(token)

    Account = Annotated[Records, Depends(account)]

    def one(records: Records, kind: str, record_id: str) -> dict[str, Any]:
        try:
            found = records.tenant[kind].get(str(uuid.UUID(record_id)))
        except ValueError:
            found = None
        if found is None:
            raise not_found()
        return found

    def register_reads(kind: str) -> None:
        @app.get(f"{API}/{kind}", name=f"{kind}_list")
        async def list_records(request: Request, records: Account) -> dict[str, Any]:
            params = dict(request.query_params)
            selected = matching(records.tenant, kind, params)
            try:
                answer = page(selected, params.get("cursor"), page_size(params.get("page_size")))
            except InvalidCursor as exc:
                raise detail(404, str(exc)) from None
            answer["results"] = [render(records.tenant, kind, r, params) for r in answer["results"]]
            return answer

        @app.get(f"{API}/{kind}/{{record_id}}", name=f"{kind}_retrieve")
        async def retrieve(record_id: str, request: Request, records: Account) -> dict[str, Any]:
            return render(records.tenant, kind, one(records, kind, record_id), dict(request.query_params))

    for kind in RESOURCES:
        register_reads(kind)

    def register_create(write: Write) -> None:
        path = write.kind

        @app.post(f"{API}/{path}", status_code=201, name=f"{path}_create")
        async def create(request: Request, records: Account) -> dict[str, Any]:
            answer = perform(records, write, await _body(request), flag(request.query_params, "is_debug_mode"))
            faults.created[write.kind] += 1
            return answer

        @app.get(f"{API}/{path}/meta/post", name=f"{path}_meta_post")
        async def meta_post(records: Account) -> dict[str, Any]:
            return meta(write, records.tenant.ats)

    for write in CREATES.values():
        register_create(write)

    @app.patch(f"{API}/candidates/{{record_id}}", name="candidates_partial_update")
    async def update_candidate(record_id: str, request: Request, records: Account) -> dict[str, Any]:
        current = one(records, "candidates", record_id)
        debug = flag(request.query_params, "is_debug_mode")
        return perform(records, UPDATE_CANDIDATE, await _body(request), debug, current)

    @app.get(f"{API}/candidates/meta/patch/{{record_id}}", name="candidates_meta_patch")
    async def meta_patch(record_id: str, records: Account) -> dict[str, Any]:
        one(records, "candidates", record_id)
        return meta(UPDATE_CANDIDATE, records.tenant.ats)

    @app.post(f"{API}/applications/{{record_id}}/change-stage", status_code=201, name="applications_change_stage")
    async def change(record_id: str, request: Request, records: Account) -> dict[str, Any]:
        return change_stage(records, one(records, "applications", record_id), await _body(request))

    @app.get("/files/{attachment_id}/{name}", name="file")
    async def file(attachment_id: str, name: str) -> Response:
        stored = sandbox.files.get(attachment_id)
        if stored is None or stored.name != name:
            raise not_found()
        disposition = f'attachment; filename="{name}"'
        return Response(stored.content, media_type=stored.content_type, headers={"Content-Disposition": disposition})

    return app


def from_environment(environ: Mapping[str, str], base_url: str) -> FastAPI:
    """`gateway sandbox merge`: the key, the linked accounts (`token=ats,…`) and the rate from the environment."""
    accounts = environ.get(
        "MERGE_SANDBOX_ACCOUNTS", "sandbox-merge-greenhouse-token=greenhouse,sandbox-merge-generic-token=generic"
    )
    return create_app(
        MergeSandbox(
            api_key=environ.get("MERGE_SANDBOX_API_KEY", "sandbox-merge-key"),
            accounts=dict(item.split("=", 1) for item in accounts.split(",")),
            base_url=environ.get("MERGE_SANDBOX_BASE_URL", base_url),
            requests_per_minute=int(environ.get("MERGE_SANDBOX_RATE_PER_MINUTE", RATE_LIMIT_PER_MINUTE)),
            idempotency=environ.get("MERGE_SANDBOX_IDEMPOTENCY", "true").lower() != "false",
        )
    )
