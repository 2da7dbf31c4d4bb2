"""The HTTP surface: StackOne's `/unified/ats/...` operations over a connector registry, plus operations routes.

Every unified operation of the catalogue is served by one route (gateway/routing.py) that hands the request to
the pipeline (gateway/pipeline.py). Errors, ours or a vendor's, leave through the app's exception handlers in the
CONTRACT.md envelope; anything unexpected is a 500 in the same envelope, logged once with the request's id.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.catalogue import CATALOGUE
from connectors.registry import Registry
from gateway import docs_assets, logs, render, tracing
from gateway.config import ResolvedConfig
from gateway.cursors import CursorSigner
from gateway.errors import GatewayError
from gateway.meta import describe, vendor_rules
from gateway.metrics import Metrics
from gateway.openapi import add_operations
from gateway.pipeline import Gateway
from gateway.routing import UnifiedRoute
from gateway.sandboxes import Wiring, wire
from gateway.state import MemoryStore, RedisStore, StateStore, StoreUnavailable
from gateway.transport import TransportKind
from gateway.upstream import Upstream

_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
READY_CHECK_S = 0.5
"""The readiness probe's bound on the store check (its timeoutSeconds is 2)."""


class RequestContext:
    """Gives every request an id (the caller's, if sane) and a trace context (the caller's `traceparent`, if
    valid), writes the one access event per request, and answers what nothing else caught with a 500 in the
    error envelope."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # A correlation id sent twice is no one id: the request gets its own, as for one that is not sane.
        sent = [value for name, value in scope["headers"] if name == b"x-request-id"]
        sent_id = sent[0].decode("latin-1") if len(sent) == 1 else ""
        request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        trace, trace_token = tracing.start(headers.get(b"traceparent"))
        fields = logs.start_request(request_id=request_id, trace_id=trace.trace_id, span_id=trace.span_id)
        started = time.perf_counter()
        status = 0
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
        except Exception as exc:
            logging.getLogger("gateway").error("unhandled error", exc_info=exc)
            if status == 0:
                crash = GatewayError(500, "internal_error", "Internal error; it has been logged")
                await render.error(crash, request_id)(scope, receive, send_with_id)
        finally:
            self._record(scope, headers, status or 500, code, time.perf_counter() - started)
            logs.end_request(fields)
            tracing.end(trace_token)

    def _record(
        self, scope: Scope, headers: Mapping[bytes, bytes], status: int, code: str | None, elapsed: float
    ) -> None:
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


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex


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

    app = FastAPI(
        title="ATS gateway",
        version="0.1.0",
        description="StackOne-compatible unified ATS API over StackOne and Bindbee, with gateway extensions.",
        lifespan=lifespan,
        # The gateway's telemetry is its Prometheus metrics and logs; FastAPI's own would ask OpenTelemetry on
        # every request whether a provider is configured.
        telemetry={"tracing": False, "metrics": False},
        # Served by docs_assets, from the package rather than a CDN.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.gateway = gateway
    app.state.sandboxes = wiring.apps
    _operations_routes(app, gateway, resolved)
    app.router.routes.insert(0, UnifiedRoute(CATALOGUE.values(), gateway.handle))
    app.add_middleware(RequestContext, metrics=gateway.metrics)
    _customise_openapi(app)
    docs_assets.install(app)
    return app


def _operations_routes(app: FastAPI, gateway: Gateway, resolved: ResolvedConfig) -> None:
    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> Response:
        return render.error(exc, _request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "route_not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        error = GatewayError(exc.status_code, code, str(exc.detail), headers=exc.headers or {})
        return render.error(error, _request_id(request))

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
        caller, account = gateway.services.auth.identify(request.headers)
        connector = gateway.services.connector(account)
        required = await vendor_rules(gateway.services, caller, account)
        return JSONResponse(describe(connector, gateway.services.contexts[account.id], required))


def _customise_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        add_operations(schema, CATALOGUE.values())
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
