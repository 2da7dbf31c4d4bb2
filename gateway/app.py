"""The HTTP surface: StackOne-compatible `/unified/ats/...` routes over a connector registry.

Every unified route runs the same pipeline (`Gateway.handle`): authenticate, resolve the account, check the
connector offers the operation, read and validate the input, let the connector plan the vendor calls, then
either show the plan (dry run) or execute it and wrap the result in StackOne's envelope.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, RootModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.base import (
    Action,
    Operation,
    Resource,
)
from connectors.registry import Registry
from connectors.unified.applications import AssessmentOrderResult
from gateway import docs_assets, envelopes, logs, tracing
from gateway.config import ResolvedConfig
from gateway.cursors import CursorSigner
from gateway.errors import GatewayError
from gateway.meta import describe
from gateway.metrics import Metrics
from gateway.pipeline import READ_MODELS, WRITE_MODELS, Gateway
from gateway.sandboxes import Wiring, wire
from gateway.state import MemoryStore, RedisStore, StateStore, StoreUnavailable
from gateway.transport import TransportKind
from gateway.upstream import Upstream

_SINGULAR = {
    Resource.JOBS: "job",
    Resource.CANDIDATES: "candidate",
    Resource.APPLICATIONS: "application",
    Resource.DEPARTMENTS: "department",
    Resource.LOCATIONS: "location",
    Resource.USERS: "user",
}
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
READY_CHECK_S = 0.5
"""The readiness probe's bound on the store check (its timeoutSeconds is 2)."""


class RequestContext:
    """Gives every request an id (the caller's, if sane) and a trace context (the caller's `traceparent`, if
    valid), and writes the one access event per request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        sent_id = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        trace, trace_token = tracing.start(headers.get(b"traceparent"))
        fields = logs.start_request(request_id=request_id, trace_id=trace.trace_id, span_id=trace.span_id)
        started = time.perf_counter()
        status = 500
        code: str | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status, code
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            elif status >= 400 and code is None:
                # Error answers are one small JSON body: its `code` is what the caller was told, replays included.
                code = logs.error_code(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            connector = scope["state"].get("connector", "")
            self.metrics.requests.labels(route, scope["method"], str(status), connector).inc()
            self.metrics.request_seconds.labels(route, scope["method"], connector).observe(elapsed)
            client = scope.get("client")
            user_agent = headers.get(b"user-agent")
            logs.access(
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status,
                latency_s=elapsed,
                client=client[0] if client else None,
                user_agent=user_agent.decode("latin-1") if user_agent else None,
                code=code,
            )
            logs.end_request(fields)
            tracing.end(trace_token)


class UnifiedRoutes:
    """Serves `/unified/ats/{resource}[/{id}]` by one table lookup, ahead of FastAPI's router.

    FastAPI's middleware layers, its router (one regular expression per route, tried in turn) and its endpoint
    wrapper cost about 0.35 ms of CPU per request (bench/README.md), a large share of the gateway's own work. The
    same routes stay registered with FastAPI, which describes them in the OpenAPI document and answers what the
    table does not hold (a method a path lacks, a trailing slash, HEAD); everything else is FastAPI's as before.
    """

    def __init__(self, app: ASGIApp, gateway: Gateway, table: Mapping[tuple[str, str], tuple[Operation, Any]]):
        self.app = app
        self.gateway = gateway
        self.exact = {key: value for key, value in table.items() if not key[1].endswith("/{id}")}
        self.by_id = {(m, p.removesuffix("{id}")): value for (m, p), value in table.items() if p.endswith("/{id}")}
        """(method, path) and (method, path up to the id) -> (operation, FastAPI's route for it)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._match(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        (operation, route), record_id = found
        scope["route"] = route
        scope["path_params"] = {"id": record_id} if record_id is not None else {}
        request = Request(scope, receive)
        response: Response
        try:
            response = await self.gateway.handle(request, operation)
        except GatewayError as error:
            response = _error_response(request, error)
        except Exception as exc:
            response = _crash(request, exc)
        await response(scope, receive, send)

    def _match(self, scope: Scope) -> tuple[tuple[Operation, Any], str | None] | None:
        method, path = scope["method"], scope["path"]
        found = self.exact.get((method, path))
        if found is not None:
            return found, None
        parent, slash, record_id = path.rpartition("/")
        found = self.by_id.get((method, parent + slash)) if record_id else None
        return (found, record_id) if found is not None else None


class _GatewayApp(FastAPI):
    """FastAPI, with the request context and the unified routes' table in front of its own middleware stack."""

    unified: Mapping[tuple[str, str], tuple[Operation, Any]]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # FastAPI's own __call__ asks OpenTelemetry on every request whether native telemetry is on; the
            # gateway's telemetry is its Prometheus metrics and logs, so requests go straight to Starlette's.
            await Starlette.__call__(self, scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        gateway: Gateway = self.state.gateway
        return RequestContext(UnifiedRoutes(super().build_middleware_stack(), gateway, self.unified), gateway.metrics)


def _crash(request: Request, exc: Exception) -> JSONResponse:
    logging.getLogger("gateway").error("unhandled error", exc_info=exc)
    return _error_response(request, GatewayError(500, "internal_error", "Internal error; it has been logged"))


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex


def _error_response(request: Request, error: GatewayError) -> JSONResponse:
    return JSONResponse(error.body(_request_id(request)), status_code=error.status, headers=dict(error.headers))


def create_app(
    resolved: ResolvedConfig,
    registry: Registry | None = None,
    wiring: Wiring | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    store: StateStore | None = None,
    http_transport: TransportKind = "aiohttp",
    metrics: Metrics | None = None,
) -> FastAPI:
    """Build the gateway.

    `wiring` is the in-process sandboxes (built from the config when not given); `transports` replaces the network
    for named providers (tests put a recorder in front of a sandbox, or respx); `store` is the shared state
    (the embedded store when not given: one process only); `metrics` outlive the app when given (a reload).
    """
    registry = registry or Registry.discover()
    wiring = wiring or wire(resolved)
    upstream = Upstream(resolved.config.providers, {**wiring.transports, **(transports or {})}, http_transport)
    secret_ref = resolved.config.cursor_secret
    if secret_ref is None:
        logging.getLogger("gateway").warning(
            "cursor_secret is not configured: list cursors are signed with a per-process key, "
            "so a walk cannot continue on another replica"
        )
    signer = CursorSigner(resolved.secret(secret_ref).encode() if secret_ref else secrets.token_bytes(32))
    gateway = Gateway(resolved, registry, upstream, wiring.credentials, signer, store or MemoryStore(), metrics)
    if isinstance(gateway.store, RedisStore):
        gateway.store.on_round_trip = gateway.metrics.store_round_trips.inc

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.aclose()
        gateway.metrics.close()

    app = _GatewayApp(
        title="ATS gateway",
        version="0.1.0",
        description="StackOne-compatible unified ATS API over StackOne and Bindbee, with gateway extensions.",
        lifespan=lifespan,
        # Served by docs_assets, from the package rather than a CDN.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.gateway = gateway
    app.state.sandboxes = wiring.apps

    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> JSONResponse:
        return _error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "route_not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error_response(request, GatewayError(exc.status_code, code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return _crash(request, exc)

    @app.api_route("/metrics", methods=["GET", "HEAD"], tags=["operations"], include_in_schema=False)
    async def metrics_page() -> Response:
        return Response(gateway.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    store_trouble = logs.Throttled("gateway.state")
    reached = False

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Ready once the config is loaded and the state store has answered once since start. A store lost later
        does not make the replica unready: reads fail open, keyed writes answer 503 state_store_unavailable, and
        taking every replica out of the load balancer at once would refuse the reads too (README, readiness)."""
        nonlocal reached
        store_state = "ok"
        try:
            # Well inside the probe's timeout, however long a hung Redis takes.
            async with asyncio.timeout(READY_CHECK_S):
                await gateway.store.ping()
            reached = True
        except (StoreUnavailable, TimeoutError) as exc:
            store_state = "unavailable"
            store_trouble.warning("state store unavailable", kind=gateway.store.kind, error=str(exc) or "timed out")
        body = {
            "status": "ready" if store_state == "ok" else "degraded" if reached else "not_ready",
            "config": "loaded",
            "accounts": len(resolved.config.accounts),
            "state_store": {"kind": gateway.store.kind, "status": store_state, "reached_since_start": reached},
        }
        return JSONResponse(body, status_code=200 if reached else 503)

    @app.get("/unified/ats/meta", tags=["meta"], operation_id="gateway_meta")
    async def meta(request: Request) -> JSONResponse:
        """Operations this account's connector supports, with the JSON Schema of each write."""
        caller = gateway.auth.caller(request.headers.get("authorization"))
        account = gateway.auth.account(caller, request.headers.get("x-account-id"))
        connector = gateway.registry[resolved.config.providers[account.provider].connector]
        return JSONResponse(describe(connector, gateway.contexts[account.id], account.id))

    app.unified = _add_unified_routes(app, gateway)
    _customise_openapi(app)
    docs_assets.install(app)
    return app


def _endpoint(gateway: Gateway, operation: Operation) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    async def endpoint(request: Request) -> Response:
        return await gateway.handle(request, operation)

    return endpoint


_COMMON_PARAMS: list[dict[str, Any]] = [
    {
        "name": "x-account-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The configured account to act on",
    },
]
_READ_PARAMS: list[dict[str, Any]] = [
    {
        "name": "raw",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "Add the vendor's raw exchanges as `raw`",
    },
    {
        "name": "fields",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Comma-separated fields to return",
    },
]
_LIST_PARAMS: list[dict[str, Any]] = [
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    {"name": "next", "in": "query", "schema": {"type": "string"}, "description": "The signed cursor"},
    {
        "name": "filter",
        "in": "query",
        "style": "deepObject",
        "explode": True,
        "schema": {"type": "object", "additionalProperties": {"type": "string"}},
        "description": "filter[updated_after]; filter[created_after] (jobs, candidates, applications); "
        "filter[job_status] (jobs: open|draft); filter[email] (candidates); filter[job_id] (applications)",
    },
]
_WRITE_PARAMS: list[dict[str, Any]] = [
    {
        "name": "Idempotency-Key",
        "in": "header",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": "Same key and body: the stored answer is replayed; kept 24 h",
    },
    {
        "name": "dry_run",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "Validate and translate only: show the vendor requests, send nothing",
    },
]


def _operation_id(operation: Operation) -> str:
    """StackOne's operation ids: ats_list_jobs, ats_get_job, ats_create_candidate, ats_order_assessments_request."""
    if operation.resource == Resource.ASSESSMENT_ORDERS:
        return "ats_order_assessments_request"
    if operation.action == Action.LIST:
        return f"ats_list_{operation.resource.value}"
    return f"ats_{operation.action.value}_{_SINGULAR[operation.resource]}"


def _add_unified_routes(app: FastAPI, gateway: Gateway) -> dict[tuple[str, str], tuple[Operation, Any]]:
    errors: dict[int | str, dict[str, Any]] = {
        status: {"model": envelopes.ErrorBody, "description": text}
        for status, text in (
            (400, "Bad request"),
            (401, "Unauthorized"),
            (404, "Not found"),
            (422, "Validation error"),
            (429, "Rate limited"),
            (501, "Not implemented"),
            (502, "Vendor error"),
        )
    }
    routes: list[tuple[Operation, str, str, dict[int | str, dict[str, Any]]]] = []
    for resource, model in READ_MODELS.items():
        base = f"/unified/ats/{resource.value}"
        page: type[BaseModel] = envelopes.Paginated[model]  # type: ignore[valid-type]
        record: type[BaseModel] = envelopes.RecordResult[model]  # type: ignore[valid-type]
        routes.append((Operation(resource, Action.LIST), "GET", base, {200: {"model": page, "description": "A page"}}))
        routes.append(
            (
                Operation(resource, Action.GET),
                "GET",
                base + "/{id}",
                {200: {"model": record, "description": "A record"}},
            )
        )
    for operation in WRITE_MODELS:
        base = f"/unified/ats/{operation.resource.value}"
        answer: type[BaseModel] = (
            AssessmentOrderResult if operation.resource == Resource.ASSESSMENT_ORDERS else envelopes.CreateResult
        )
        # A 200 is also what `dry_run=true` answers, so where the write itself answers 200 both shapes are allowed.
        or_dry_run: type[BaseModel] = RootModel[answer | envelopes.DryRun]  # type: ignore[valid-type]
        dry_run = {"model": envelopes.DryRun, "description": "Dry run (`dry_run=true`)"}
        if operation.action == Action.CREATE and operation.resource != Resource.ASSESSMENT_ORDERS:
            routes.append((operation, "POST", base, {201: {"model": answer, "description": "Created"}, 200: dry_run}))
        elif operation.action == Action.CREATE:
            routes.append((operation, "POST", base, {200: {"model": or_dry_run, "description": "Ordered, or dry run"}}))
        else:
            routes.append(
                (operation, "PATCH", base + "/{id}", {200: {"model": or_dry_run, "description": "Updated, or dry run"}})
            )
    table: dict[tuple[str, str], tuple[Operation, Any]] = {}
    for operation, method, path, responses in routes:
        params = list(_COMMON_PARAMS)
        if "{id}" in path:
            params.append({"name": "id", "in": "path", "required": True, "schema": {"type": "string"}})
        params += _WRITE_PARAMS if operation.is_write else _READ_PARAMS
        params += _LIST_PARAMS if operation.action == Action.LIST else []
        extra: dict[str, Any] = {"parameters": params}
        if operation.is_write:
            schema = {"$ref": f"#/components/schemas/{WRITE_MODELS[operation].__name__}"}
            extra["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        op_id = _operation_id(operation)
        app.add_api_route(
            path,
            _endpoint(gateway, operation),
            methods=[method],
            operation_id=op_id,
            summary=op_id.removeprefix("ats_").replace("_", " ").capitalize(),
            tags=[operation.resource.value],
            responses={**responses, **errors},
            openapi_extra=extra,
        )
        table[(method, path)] = (operation, app.routes[-1])
    return table


def _customise_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in set(WRITE_MODELS.values()):
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[model.__name__] = body
        schema["components"]["securitySchemes"] = {
            "basic": {
                "type": "http",
                "scheme": "basic",
                "description": "API key as user name, empty password",
            },
            "bearer": {"type": "http", "scheme": "bearer"},
        }
        schema["security"] = [{"basic": []}, {"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
